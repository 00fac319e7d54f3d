using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Stores profiles in one SQLite file (WAL journal, <c>synchronous=FULL</c>).
/// </summary>
/// <remarks>
/// Writes use group commit: every <see cref="ApplyAsync"/> batch is queued, and a single writer
/// thread that owns the write connection takes everything queued (up to
/// <see cref="SqliteStoreOptions.MaxUpdatesPerCommit"/> updates), applies it in queue order in ONE
/// transaction, commits, and only then completes the waiting callers. Several updates to one
/// profile in a commit see each other and the profile is written once. When a transaction fails,
/// every caller of that group gets the exception and nothing of the group is stored.
/// The writer keeps the committed state of recently written profiles in a bounded
/// <see cref="ProfileCache"/> (<see cref="SqliteStoreOptions.ProfileCacheSize"/>), so a hot profile
/// is not read back and parsed in every commit; the profiles in <see cref="ApplyResult"/>s are
/// shared with that cache and must not be modified.
/// Reads use pooled read-only connections, which WAL lets run alongside the writer.
/// </remarks>
public sealed partial class SqliteProfileStore : IProfileStore
{
    /// <summary>The name of the database file inside <see cref="SqliteStoreOptions.Path"/>.</summary>
    public const string DatabaseFileName = "openengage.db";

    private readonly ProfileEngine _engine;
    private readonly ILogger<SqliteProfileStore> _logger;
    private readonly string _directory;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly GroupCommitQueue _commits;
    private readonly Dictionary<ProfileKey, WorkingEntry> _working = [];
    private readonly ProfileCache _cache;
    private readonly ScanPartitions _partitions;

    private SqliteConnection? _writer;
    private SqliteCommand? _select;
    private SqliteCommand? _upsert;
    private SqliteCommand? _delete;
    private SqliteCommand? _dataVersion;
    private long _lastDataVersion;
    private long _splitScans;
    private int _initialized;
    private int _disposed;

    public SqliteProfileStore(SqliteStoreOptions options, ProfileEngine engine, ILogger<SqliteProfileStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUpdatesPerCommit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ProfileCacheSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueryParallelism, 1);

        _engine = engine;
        _logger = logger;
        _directory = System.IO.Path.GetFullPath(options.Path);
        _cache = new ProfileCache(options.ProfileCacheSize);
        DatabasePath = System.IO.Path.Combine(_directory, DatabaseFileName);

        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        _commits = new GroupCommitQueue(options.MaxUpdatesPerCommit, typeof(SqliteProfileStore).FullName!);
        _partitions = new ScanPartitions(OpenReaderAsync, options.QueryParallelism, options.MinProfilesPerScanPart, LogSplitPointsFailed, TimeProvider.System);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The journal mode of the write connection, as read back from SQLite.</summary>
    internal string? JournalMode { get; private set; }

    /// <summary>The <c>synchronous</c> setting of the write connection, as read back from SQLite (2 = FULL).</summary>
    internal long Synchronous { get; private set; }

    /// <summary>Runs on the writer thread each time it has taken a group, before its transaction begins.</summary>
    internal Action? OnGroupTaken { get; set; }

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _initialized, 1) != 0)
        {
            throw new InvalidOperationException("The store is already initialized.");
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Directory.CreateDirectory(_directory);

            foreach (var migration in OpenWriter())
            {
                LogMigrationApplied(migration.Version, migration.Description, DatabasePath);
            }
        }
        catch
        {
            CloseWriter();
            Volatile.Write(ref _initialized, 0);
            throw;
        }

        LogOpened(DatabasePath, JournalMode!, Synchronous);

        _commits.StartOnDedicatedThread(CommitGroup);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken = default)
    {
        GroupCommitQueue.ValidateUpdates(updates);
        EnsureOpen();
        return await _commits.EnqueueAsync(updates, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredProfile?> GetAsync(ProfileKey key, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json(properties) FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;";
        command.Parameters.AddWithValue("$project", key.Project);
        command.Parameters.AddWithValue("$group_key", key.GroupKey);
        command.Parameters.AddWithValue("$id", key.Id);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredProfile(key, StoredProperties.Parse(reader.GetString(0)))
            : null;
    }

    public async Task<ProfilePage> ListAsync(ProfileListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Project);
        ArgumentNullException.ThrowIfNull(request.GroupKey);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        EnsureOpen();

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction: the count and the page come from the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);

        long total;
        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM profiles WHERE project = $project AND group_key = $group_key;";
            count.Parameters.AddWithValue("$project", request.Project);
            count.Parameters.AddWithValue("$group_key", request.GroupKey);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var profiles = new List<StoredProfile>(Math.Min(request.Limit, (int)Math.Min(total, 1024)));
        if (request.Limit > 0 && request.Offset < total)
        {
            await using var page = connection.CreateCommand();
            page.Transaction = transaction;
            page.CommandText = """
                SELECT id, json(properties) FROM profiles
                WHERE project = $project AND group_key = $group_key
                ORDER BY id
                LIMIT $limit OFFSET $offset;
                """;
            page.Parameters.AddWithValue("$project", request.Project);
            page.Parameters.AddWithValue("$group_key", request.GroupKey);
            page.Parameters.AddWithValue("$limit", request.Limit);
            page.Parameters.AddWithValue("$offset", request.Offset);

            await using var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = new ProfileKey(request.Project, request.GroupKey, reader.GetString(0));
                profiles.Add(new StoredProfile(key, StoredProperties.Parse(reader.GetString(1))));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ProfilePage(profiles, total);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Stop accepting; the writer finishes everything already queued, then exits.
        await _commits.CompleteAsync().ConfigureAwait(false);
        await _partitions.DisposeAsync().ConfigureAwait(false);

        CloseWriter();
        using (var pooled = new SqliteConnection(_readConnectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        if (_commits.IsStarted)
        {
            LogClosed(DatabasePath);
        }
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _initialized) == 0)
        {
            throw new InvalidOperationException("Call InitializeAsync before using the store.");
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // ---- The writer: everything below runs on the writer thread only (after InitializeAsync). ----

    /// <summary>Opens and configures the write connection, migrates the schema and returns the migrations applied.</summary>
    private IReadOnlyList<SqliteSchema.Migration> OpenWriter()
    {
        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            connection.Open();

            var journalMode = (string?)ExecuteScalar(connection, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused the WAL journal for {DatabasePath} (journal mode is {journalMode}).");
            }

            ExecuteScalar(connection, "PRAGMA synchronous = FULL;");
            var synchronous = (long)ExecuteScalar(connection, "PRAGMA synchronous;")!;
            if (synchronous != 2)
            {
                throw new InvalidOperationException($"SQLite refused synchronous=FULL for {DatabasePath} (it is {synchronous}).");
            }

            // The writer re-reads the profiles it updates: keep a generous page cache (64 MiB; the
            // default is 2 MiB).
            ExecuteScalar(connection, "PRAGMA cache_size = -65536;");

            var applied = SqliteSchema.Migrate(connection);

            _select = Prepare(connection, "SELECT json(properties) FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;", withProperties: false);
            _upsert = Prepare(connection, """
                INSERT INTO profiles (project, group_key, id, properties) VALUES ($project, $group_key, $id, jsonb($properties))
                ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
                """, withProperties: true);
            _delete = Prepare(connection, "DELETE FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;", withProperties: false);
            _dataVersion = connection.CreateCommand();
            _dataVersion.CommandText = "PRAGMA data_version;";

            // Whatever was cached came through another connection, which no longer exists.
            _cache.Clear();
            _lastDataVersion = (long)_dataVersion.ExecuteScalar()!;

            JournalMode = journalMode;
            Synchronous = synchronous;
            _writer = connection;
            return applied;
        }
        catch
        {
            CloseWriter();
            connection.Dispose();
            throw;
        }
    }

    private void CloseWriter()
    {
        _select?.Dispose();
        _upsert?.Dispose();
        _delete?.Dispose();
        _dataVersion?.Dispose();
        _writer?.Dispose();
        _select = _upsert = _delete = _dataVersion = null;
        _writer = null;
    }

    private static object? ExecuteScalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, bool withProperties)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$project", SqliteType.Text);
        command.Parameters.Add("$group_key", SqliteType.Text);
        command.Parameters.Add("$id", SqliteType.Text);
        if (withProperties)
        {
            command.Parameters.Add("$properties", SqliteType.Text);
        }

        command.Prepare();
        return command;
    }

    /// <summary>Commits one group in one transaction; on failure nothing of the group is stored and the exception propagates.</summary>
    private ApplyResult[][] CommitGroup(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group, int updateCount)
    {
        OnGroupTaken?.Invoke();
        var results = new ApplyResult[group.Count][];
        try
        {
            if (_writer is null)
            {
                OpenWriter();
            }

            using var transaction = _writer!.BeginTransaction(deferred: false);
            _select!.Transaction = transaction;
            _upsert!.Transaction = transaction;
            _delete!.Transaction = transaction;
            ForgetCacheIfChangedElsewhere(transaction);

            for (var i = 0; i < group.Count; i++)
            {
                var updates = group[i];
                var batch = new ApplyResult[updates.Count];
                for (var j = 0; j < updates.Count; j++)
                {
                    batch[j] = ApplyToWorkingSet(updates[j]);
                }

                results[i] = batch;
            }

            foreach (var (key, entry) in _working)
            {
                if (!entry.Dirty)
                {
                    continue;
                }

                if (entry.Current is { } profile)
                {
                    Bind(_upsert, key);
                    _upsert.Parameters[3].Value = StoredProperties.Serialize(profile);
                    _upsert.ExecuteNonQuery();
                }
                else if (entry.Stored)
                {
                    Bind(_delete, key);
                    _delete.ExecuteNonQuery();
                }
            }

            transaction.Commit();

            foreach (var (key, entry) in _working)
            {
                _cache.Set(key, entry.Current);
            }
        }
        catch (Exception exception)
        {
            LogGroupFailed(exception, group.Count, updateCount, DatabasePath);

            // The transaction rolled back (or never began); start again from a fresh connection,
            // and an empty cache (reopening clears it), so nothing of the group is remembered.
            CloseWriter();
            _cache.Clear();
            throw;
        }
        finally
        {
            _working.Clear();
        }

        return results;
    }

    private ApplyResult ApplyToWorkingSet(ProfileUpdate update)
    {
        var key = update.Key;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_working, key, out var known);
        if (!known)
        {
            entry.Current = _cache.TryGet(key, out var cached) ? cached : Load(key);
            entry.Stored = entry.Current is not null;
        }

        var result = _engine.Apply(entry.Current, update);
        switch (result.Status)
        {
            case ApplyStatus.Upserted:
                entry.Current = result.Profile;
                entry.Dirty = true;
                break;
            case ApplyStatus.Deleted:
                entry.Current = null;
                entry.Dirty = true;
                break;
        }

        return result;
    }

    /// <summary>
    /// Clears the cache when another connection committed since this one last looked: the cache
    /// would no longer hold the committed state. Runs inside the write transaction, so no other
    /// writer can commit until this group is done.
    /// </summary>
    private void ForgetCacheIfChangedElsewhere(SqliteTransaction transaction)
    {
        _dataVersion!.Transaction = transaction;
        var version = (long)_dataVersion.ExecuteScalar()!;
        if (version != _lastDataVersion)
        {
            _cache.Clear();
            _lastDataVersion = version;
        }
    }

    private JsonObject? Load(ProfileKey key)
    {
        Bind(_select!, key);
        using var reader = _select!.ExecuteReader();
        return reader.Read() ? StoredProperties.Parse(reader.GetString(0)) : null;
    }

    private static void Bind(SqliteCommand command, ProfileKey key)
    {
        command.Parameters[0].Value = key.Project;
        command.Parameters[1].Value = key.GroupKey;
        command.Parameters[2].Value = key.Id;
    }

    /// <summary>A profile's state within the transaction being built.</summary>
    private struct WorkingEntry
    {
        /// <summary>The current properties; null when the profile does not exist.</summary>
        public JsonObject? Current;

        /// <summary>True when the profile exists in the database.</summary>
        public bool Stored;

        /// <summary>True when <see cref="Current"/> differs from the database.</summary>
        public bool Dirty;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Profile store opened at {DatabasePath} (SQLite journal mode {JournalMode}, synchronous {Synchronous})")]
    private partial void LogOpened(string databasePath, string journalMode, long synchronous);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Applied schema migration {Version} ({Description}) to {DatabasePath}")]
    private partial void LogMigrationApplied(int version, string description, string databasePath);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "A commit of {RequestCount} batches ({UpdateCount} updates) to {DatabasePath} failed; none of them was stored")]
    private partial void LogGroupFailed(Exception exception, int requestCount, int updateCount, string databasePath);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Profile store at {DatabasePath} closed")]
    private partial void LogClosed(string databasePath);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Finding where to split query scans failed; queries keep the previous split")]
    private partial void LogSplitPointsFailed(Exception exception);

    /// <summary>Waits until the split points of parallel scans searched for so far are in place.</summary>
    internal Task WhenScanPartsFoundAsync() => _partitions.WhenIdleAsync();
}
