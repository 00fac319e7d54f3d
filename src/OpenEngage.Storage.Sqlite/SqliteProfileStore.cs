using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Stores profiles in one SQLite file (WAL journal, <c>synchronous=FULL</c>).
/// </summary>
/// <remarks>
/// Writes use group commit: every <see cref="ApplyAsync"/> batch is queued, and groups of what is
/// queued (up to <see cref="SqliteStoreOptions.MaxUpdatesPerCommit"/> updates) go through two
/// stages on two dedicated threads (<see cref="GroupCommitQueue.StartPipelined"/>). The first
/// prepares a group: it applies the updates in queue order, reading each profile from the group
/// being committed, the cache or the database (through its own read-only connection), and
/// serialises the changed profiles. The second owns the write connection: it writes a prepared
/// group in ONE transaction, commits, and only then completes the waiting callers. The first stage
/// prepares the next group while the second commits the previous one. Several updates to one
/// profile in a group see each other and the profile is written once. When a transaction fails,
/// nothing of the group is stored and every caller of that group gets the exception, unless SQLite
/// refused the group's data (a constraint, a value too big): then the group is isolated and only the
/// refused updates are rejected (see <see cref="GroupCommitQueue"/>). A group that was prepared on
/// top of a failed one is prepared again from committed state.
/// The first stage keeps the committed state of recently written profiles in a bounded
/// <see cref="ProfileCache"/> (<see cref="SqliteStoreOptions.ProfileCacheSize"/>), so a hot profile
/// is not read back and parsed in every commit, and the state of the group being committed apart
/// from it, so nothing in flight is evicted or read stale; the profiles in
/// <see cref="ApplyResult"/>s are shared with that cache and must not be modified.
/// Reads use pooled read-only connections, which WAL lets run alongside the writer.
/// </remarks>
public sealed partial class SqliteProfileStore : IProfileStore, IPipelinedGroupCommit<SqliteProfileStore.PreparedWrites>
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
    private readonly Dictionary<ProfileKey, Uncommitted> _uncommitted = [];
    private readonly ProfileCache _cache;
    private readonly ScanPartitions _partitions;
    private long _preparedGroups;

    private SqliteConnection? _loader;
    private SqliteCommand? _select;
    private SqliteConnection? _writer;
    private SqliteCommand? _upsert;
    private SqliteCommand? _delete;
    private SqliteCommand? _dataVersion;
    private SqliteCommand? _touch;
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

    /// <summary>Runs on the first stage's thread each time it has taken a group, before preparing it.</summary>
    internal Action? OnGroupTaken { get; set; }

    /// <summary>Runs on the second stage's thread before each commit of a prepared group.</summary>
    internal Action? OnCommitStarting { get; set; }

    /// <summary>
    /// How many queued updates make the first stage prepare the next group while one is being
    /// committed (see <see cref="GroupCommitQueue.StartPipelined"/>). Set before InitializeAsync.
    /// </summary>
    internal int PipelineAfterUpdates { get; set; } = DefaultPipelineAfterUpdates;

    /// <summary>
    /// A batch of a few hundred updates takes about as long to prepare as a commit takes; fewer
    /// queued updates than that are better left to share the next commit with what arrives meanwhile.
    /// </summary>
    internal const int DefaultPipelineAfterUpdates = 256;

    /// <summary>The WAL size, in pages, after which a commit also checkpoints (SQLite's default is 1,000).</summary>
    private const int WalAutoCheckpointPages = 16_384;

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

            foreach (var migration in OpenWriter(migrate: true))
            {
                LogMigrationApplied(migration.Version, migration.Description, DatabasePath);
            }

            OpenLoader();
        }
        catch
        {
            CloseWriter();
            CloseLoader();
            Volatile.Write(ref _initialized, 0);
            throw;
        }

        LogOpened(DatabasePath, JournalMode!, Synchronous);

        _commits.StartPipelined(this, PipelineAfterUpdates);
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
        CloseLoader();
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

    /// <summary>
    /// Opens and configures the write connection and returns the migrations applied: the schema is
    /// migrated once, at initialisation (<paramref name="migrate"/>), not again on a reconnect.
    /// </summary>
    private IReadOnlyList<SchemaMigration> OpenWriter(bool migrate)
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

            // The writer updates the pages of the profiles it rewrites again and again: keep a
            // generous page cache (64 MiB; the default is 2 MiB).
            ExecuteScalar(connection, "PRAGMA cache_size = -65536;");

            // A group rewrites the pages of thousands of profiles. With SQLite's default of a
            // checkpoint every 1,000 WAL pages, nearly every commit also copied its pages back into
            // the database file and synced it; checkpointing every 16,384 pages (64 MiB with 4 KiB
            // pages) copies a hot page once per checkpoint instead of once per commit. Durability
            // is unchanged: a commit is durable once its WAL frames are synced.
            ExecuteScalar(connection, $"PRAGMA wal_autocheckpoint = {WalAutoCheckpointPages};");

            var applied = migrate ? SqliteSchema.Migrate(connection) : [];

            _upsert = Prepare(connection, """
                INSERT INTO profiles (project, group_key, id, properties) VALUES ($project, $group_key, $id, jsonb($properties))
                ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
                """, withProperties: true);
            _delete = Prepare(connection, "DELETE FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;", withProperties: false);
            _dataVersion = connection.CreateCommand();
            _dataVersion.CommandText = "PRAGMA data_version;";

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
        _upsert?.Dispose();
        _delete?.Dispose();
        _dataVersion?.Dispose();
        _touch?.Dispose();
        if (_writer is not null)
        {
            SkipCheckpointOnCloseIfUnwritable(_writer);
        }

        _writer?.Dispose();
        _upsert = _delete = _dataVersion = _touch = null;
        _writer = null;
    }

    /// <summary>
    /// Opens the first stage's read-only connection, which loads profiles that are neither cached
    /// nor uncommitted. WAL lets it read the committed state while the write connection commits.
    /// </summary>
    private void OpenLoader()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_readConnectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            ExecuteScalar(connection, "PRAGMA cache_size = -65536;");
            _select = Prepare(connection, "SELECT json(properties) FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;", withProperties: false);
            _loader = connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void CloseLoader()
    {
        _select?.Dispose();
        _loader?.Dispose();
        _select = null;
        _loader = null;
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

    // ---- The two stages of the pipelined group commit (GroupCommitQueue.StartPipelined). ----
    // Prepare, Committed and Discard run on the first stage's thread, which owns _working,
    // _uncommitted, _cache and the load connection; Commit runs on the second stage's thread, which
    // owns the write connection.

    /// <summary>
    /// First stage: applies a group's updates in queue order on top of the committed state and the
    /// state of the group being committed, and serialises every changed profile. Nothing is
    /// written; the changed profiles are recorded as uncommitted, so the next group sees them.
    /// </summary>
    PreparedWrites IPipelinedGroupCommit<PreparedWrites>.Prepare(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group, int updateCount)
    {
        OnGroupTaken?.Invoke();
        try
        {
            var results = new ApplyResult[group.Count][];
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

            var rows = new PreparedRow[_working.Count];
            var n = 0;
            foreach (var (key, entry) in _working)
            {
                var json = entry.Dirty && entry.Current is { } profile ? StoredProperties.Serialize(profile) : null;
                rows[n++] = new PreparedRow(key, entry.Current, json, entry.Dirty, entry.Stored);
            }

            var prepared = new PreparedWrites(results, rows, ++_preparedGroups, group.Count, updateCount);
            foreach (var row in rows)
            {
                if (row.Dirty)
                {
                    _uncommitted[row.Key] = new Uncommitted(row.Profile, prepared.Sequence);
                }
            }

            return prepared;
        }
        finally
        {
            _working.Clear();
        }
    }

    /// <summary>
    /// Second stage: writes a prepared group and commits it in one transaction. On failure nothing
    /// of the group is stored and the exception propagates.
    /// </summary>
    bool IPipelinedGroupCommit<PreparedWrites>.Commit(PreparedWrites prepared)
    {
        OnCommitStarting?.Invoke();

        // Before SQLite touches the files: its WAL index is memory-mapped, and writing to it once
        // the files cannot be written kills the process (see SqliteProfileStore.Writability.cs).
        EnsureDataFilesWritable();
        try
        {
            if (_writer is null)
            {
                // A fresh connection after a failure: what the group was prepared on may have been
                // changed by another connection before this one started watching, so prepare again.
                OpenWriter(migrate: false);
                return false;
            }

            using var transaction = _writer!.BeginTransaction(deferred: false);
            _upsert!.Transaction = transaction;
            _delete!.Transaction = transaction;
            if (ChangedElsewhere(transaction))
            {
                return false;
            }

            foreach (var row in prepared.Rows)
            {
                if (!row.Dirty)
                {
                    continue;
                }

                if (row.Json is { } json)
                {
                    Bind(_upsert, row.Key);
                    _upsert.Parameters[3].Value = json;
                    _upsert.ExecuteNonQuery();
                }
                else if (row.Stored)
                {
                    Bind(_delete, row.Key);
                    _delete.ExecuteNonQuery();
                }
            }

            transaction.Commit();
            RecordCommittedFrames();
            return true;
        }
        catch (Exception exception)
        {
            LogCommitFailure(exception, prepared.RequestCount, prepared.UpdateCount);

            // The transaction rolled back (or never began); start again from a fresh connection.
            CloseWriter();
            throw;
        }
    }

    /// <summary>First stage: the group is committed; its profiles become committed state.</summary>
    void IPipelinedGroupCommit<PreparedWrites>.Committed(PreparedWrites prepared)
    {
        foreach (var row in prepared.Rows)
        {
            _cache.Set(row.Key, row.Profile);
            if (row.Dirty && _uncommitted.TryGetValue(row.Key, out var pending) && pending.Sequence == prepared.Sequence)
            {
                _uncommitted.Remove(row.Key);
            }
        }
    }

    /// <summary>First stage: a commit failed or was stale; forget everything that is not known to be committed.</summary>
    void IPipelinedGroupCommit<PreparedWrites>.Discard()
    {
        _uncommitted.Clear();
        _cache.Clear();
    }

    private ApplyResult ApplyToWorkingSet(ProfileUpdate update)
    {
        var key = update.Key;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_working, key, out var known);
        if (!known)
        {
            if (_uncommitted.TryGetValue(key, out var pending))
            {
                // Being committed, or prepared just before: the newest state, and it will be stored
                // before anything prepared now.
                entry.Current = pending.Profile;
                entry.Stored = entry.Current is not null;
            }
            else
            {
                entry.Current = _cache.TryGet(key, out var cached) ? cached : Load(key);
                entry.Stored = entry.Current is not null;
            }
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
    /// Whether another connection committed since this one last looked: the group was then prepared
    /// on a cache that may no longer hold the committed state. Runs inside the write transaction, so
    /// no other writer can commit until this group is done.
    /// </summary>
    private bool ChangedElsewhere(SqliteTransaction transaction)
    {
        _dataVersion!.Transaction = transaction;
        var version = (long)_dataVersion.ExecuteScalar()!;
        if (version == _lastDataVersion)
        {
            return false;
        }

        _lastDataVersion = version;
        return true;
    }

    /// <summary>Reads a profile's committed state (first stage, on the load connection).</summary>
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

    /// <summary>A changed profile of a group that is prepared but not known to be committed.</summary>
    private readonly record struct Uncommitted(JsonObject? Profile, long Sequence);

    /// <summary>A profile of a prepared group: its new state and, when it changed, what to write.</summary>
    /// <param name="Json">The serialised properties to upsert; null when the profile is to be deleted (or did not change).</param>
    private readonly record struct PreparedRow(ProfileKey Key, JsonObject? Profile, string? Json, bool Dirty, bool Stored);

    /// <summary>What the first stage hands to the second: every profile the group touched.</summary>
    private sealed class PreparedWrites(ApplyResult[][] results, PreparedRow[] rows, long sequence, int requestCount, int updateCount)
        : PreparedGroup(results)
    {
        public PreparedRow[] Rows { get; } = rows;

        /// <summary>The number of the group in preparation order.</summary>
        public long Sequence { get; } = sequence;

        public int RequestCount { get; } = requestCount;

        public int UpdateCount { get; } = updateCount;
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
