using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// Stores profiles in PostgreSQL (<c>jsonb</c>), shared by any number of OpenEngage nodes.
/// </summary>
/// <remarks>
/// <para>
/// On one node, writes use group commit as the embedded store does: every <see cref="ApplyAsync"/>
/// batch is queued, and one writer loop takes everything queued, applies it in queue order in ONE
/// transaction, commits (<c>synchronous_commit = on</c>) and only then completes the callers.
/// Several updates to one profile in a commit see each other; the profile is written once.
/// </para>
/// <para>
/// Across nodes, no update is lost and no deadlock can occur. The transaction of a group:
/// </para>
/// <list type="number">
/// <item>takes one transaction-scoped advisory lock per affected profile key, the lock id being a
/// 64-bit hash of the key, in ascending order of that id. The lock exists whether or not the row
/// does, so creating a profile is covered the same as changing one. Every writer acquires its locks
/// in the same global order, so no cycle of waits can form: no deadlock between nodes. Two keys
/// whose hashes collide merely share a lock;</item>
/// <item>reads the locked profiles. Under READ COMMITTED each statement takes a fresh snapshot, and
/// a lock is released only after its holder's commit is visible, so this read sees the latest
/// committed state of every locked key;</item>
/// <item>applies the updates with <see cref="ProfileEngine"/> in memory;</item>
/// <item>writes back with two set-based statements (an upsert and a delete over <c>unnest</c>ed
/// arrays) in one round trip, and commits.</item>
/// </list>
/// <para>
/// A serialization failure (40001) or a deadlock (40P01), which the design does not produce but a
/// server may still report, retries the whole transaction from the start with backoff. On any other
/// failure nothing of the group is stored; when the server refused the group's data (a data
/// exception, a constraint, a program limit) the group is isolated and only the refused updates are
/// rejected (see <see cref="GroupCommitQueue"/>), otherwise every caller of the group fails.
/// </para>
/// </remarks>
public sealed partial class PostgresProfileStore : IProfileStore
{
    private readonly ProfileEngine _engine;
    private readonly ILogger<PostgresProfileStore> _logger;
    private readonly int _maxRetries;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitQueue _commits;
    private readonly Dictionary<ProfileKey, WorkingEntry> _working = [];

    private NpgsqlConnection? _writer;
    private int _initialized;
    private int _disposed;

    public PostgresProfileStore(PostgresStoreOptions options, ProfileEngine engine, ILogger<PostgresProfileStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUpdatesPerCommit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Storage:ConnectionString is required for the PostgreSQL store (e.g. Host=db;Database=openengage;Username=…;Password=…).");
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        _engine = engine;
        _logger = logger;
        _maxRetries = options.MaxRetries;
        Host = builder.Host ?? "localhost";
        Port = builder.Port;
        Database = builder.Database ?? builder.Username ?? "(default)";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        _commits = new GroupCommitQueue(options.MaxUpdatesPerCommit, typeof(PostgresProfileStore).FullName!);
    }

    /// <summary>The database server's host (or socket directory), for messages.</summary>
    public string Host { get; }

    /// <summary>The database server's port.</summary>
    public int Port { get; }

    /// <summary>The database name, for messages.</summary>
    public string Database { get; }

    private string Where => $"database \"{Database}\" on {Host}:{Port}";

    /// <summary>How many transactions were retried after a serialization failure or deadlock.</summary>
    internal long Retries => Interlocked.Read(ref _retries);

    private long _retries;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _initialized, 1) != 0)
        {
            throw new InvalidOperationException("The store is already initialized.");
        }

        try
        {
            await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var migration in await PostgresSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false))
                {
                    LogMigrationApplied(migration.Version, migration.Description, Database, Host);
                }
            }

            _writer = await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await CloseWriterAsync().ConfigureAwait(false);
            Volatile.Write(ref _initialized, 0);
            throw;
        }

        LogOpened(Database, Host, Port);
        _commits.Start(CommitGroupAsync, IsCausedByUpdates);
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
        if (HasNul(key))
        {
            return null;
        }

        await using var command = _dataSource.CreateCommand(
            "SELECT properties::text FROM profiles WHERE project = $1 AND group_key = $2 AND id = $3;");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GroupKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Id });

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

        await CloseWriterAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);

        if (_commits.IsStarted)
        {
            LogClosed(Database, Host);
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

    /// <summary>Opens a pooled connection; an unreachable server is reported with its host and database.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"Cannot connect to the PostgreSQL {Where}: {exception.Message}", exception);
        }
    }

    private async Task CloseWriterAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
    }

    // ---- The writer: everything below runs in the writer loop only (after InitializeAsync). ----

    /// <summary>
    /// Commits one group in one transaction, retrying a serialization failure or deadlock; on any
    /// other failure nothing of the group is stored and the exception propagates.
    /// </summary>
    private async Task<ApplyResult[][]> CommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group, int updateCount)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryCommitGroupAsync(group).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                                                     && attempt < _maxRetries)
            {
                Interlocked.Increment(ref _retries);
                LogRetrying(exception.SqlState, attempt + 1, Database, Host);
                var delay = Math.Min(1000, 5 << Math.Min(attempt, 8));
                await Task.Delay(delay / 2 + Random.Shared.Next(delay / 2 + 1)).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogCommitFailure(exception, group.Count, updateCount);

                // The transaction rolled back (or the outcome is unknown); start again on a fresh connection.
                await CloseWriterAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                _working.Clear();
            }
        }
    }

    private async Task<ApplyResult[][]> TryCommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group)
    {
        _writer ??= await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = _writer;

        // The distinct keys of the group, in the order their locks are taken.
        var keys = new Dictionary<ProfileKey, long>();
        foreach (var updates in group)
        {
            foreach (var update in updates)
            {
                var key = update.Key;
                if (!HasNul(key))
                {
                    keys.TryAdd(key, LockId(key));
                }
            }
        }

        var lockIds = keys.Values.Distinct().Order().ToArray();

        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted).ConfigureAwait(false);

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = on;"));
            var lockCommand = new NpgsqlBatchCommand("SELECT count(pg_advisory_xact_lock(l)) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(l, n);");
            lockCommand.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = lockIds });
            batch.BatchCommands.Add(lockCommand);

            var (projects, groupKeys, ids) = Columns(keys.Keys);
            var select = new NpgsqlBatchCommand("""
                SELECT p.project, p.group_key, p.id, p.properties::text
                FROM profiles p
                JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
                  ON p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
                """);
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            batch.BatchCommands.Add(select);

            foreach (var key in keys.Keys)
            {
                _working[key] = default;
            }

            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            // The reader starts on the first result set (the lock count; SET has none); next come the profiles.
            if (!await reader.NextResultAsync().ConfigureAwait(false))
            {
                throw new InvalidOperationException("PostgreSQL returned no profile rows result.");
            }

            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var key = new ProfileKey(reader.GetString(0), reader.GetString(1), reader.GetString(2));
                _working[key] = new WorkingEntry { Current = StoredProperties.Parse(reader.GetString(3)), Stored = true };
            }
        }

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

        var upserts = new List<(ProfileKey Key, string Json)>();
        var deletes = new List<ProfileKey>();
        foreach (var (key, entry) in _working)
        {
            if (!entry.Dirty)
            {
                continue;
            }

            if (entry.Current is { } profile)
            {
                upserts.Add((key, StoredProperties.Serialize(profile)));
            }
            else if (entry.Stored)
            {
                deletes.Add(key);
            }
        }

        if (upserts.Count > 0 || deletes.Count > 0)
        {
            await using var write = new NpgsqlBatch(connection, transaction);
            if (upserts.Count > 0)
            {
                var (projects, groupKeys, ids) = Columns(upserts.Select(u => u.Key));
                var upsert = new NpgsqlBatchCommand("""
                    INSERT INTO profiles (project, group_key, id, properties)
                    SELECT k.project, k.group_key, k.id, k.properties::jsonb
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(project, group_key, id, properties)
                    ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
                    """);
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. upserts.Select(u => u.Json)] });
                write.BatchCommands.Add(upsert);
            }

            if (deletes.Count > 0)
            {
                var (projects, groupKeys, ids) = Columns(deletes);
                var delete = new NpgsqlBatchCommand("""
                    DELETE FROM profiles p
                    USING unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
                    WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
                    """);
                delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
                delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
                delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
                write.BatchCommands.Add(delete);
            }

            await write.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return results;
    }

    private ApplyResult ApplyToWorkingSet(ProfileUpdate update)
    {
        if (HasNul(update))
        {
            // PostgreSQL text and jsonb cannot hold U+0000.
            return new ApplyResult(ApplyStatus.Rejected, null, new RecordError("", "the record holds the character U+0000, which this store cannot keep"), update.Warnings);
        }

        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_working, update.Key);
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

    private static (string[] Projects, string[] GroupKeys, string[] Ids) Columns(IEnumerable<ProfileKey> keys)
    {
        var list = keys as IReadOnlyCollection<ProfileKey> ?? [.. keys];
        var projects = new string[list.Count];
        var groupKeys = new string[list.Count];
        var ids = new string[list.Count];
        var i = 0;
        foreach (var key in list)
        {
            projects[i] = key.Project;
            groupKeys[i] = key.GroupKey;
            ids[i] = key.Id;
            i++;
        }

        return (projects, groupKeys, ids);
    }

    /// <summary>
    /// The advisory lock id of a profile key: the first 8 bytes of SHA-256 over the length-prefixed
    /// UTF-8 parts. Computed here, not by the server, so it never depends on the server's version.
    /// </summary>
    internal static long LockId(ProfileKey key)
    {
        var parts = new[] { key.Project, key.GroupKey, key.Id };
        var buffer = new List<byte>(64);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.AddRange(length.ToArray());
            buffer.AddRange(bytes);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(CollectionsMarshal.AsSpan(buffer), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    private static bool HasNul(ProfileKey key) =>
        key.Project.Contains('\0', StringComparison.Ordinal) || key.GroupKey.Contains('\0', StringComparison.Ordinal) || key.Id.Contains('\0', StringComparison.Ordinal);

    private static bool HasNul(ProfileUpdate update)
    {
        if (HasNul(update.Key))
        {
            return true;
        }

        static bool Text(string? s) => s is not null && s.Contains('\0', StringComparison.Ordinal);

        static bool Node(JsonNode? node) => node switch
        {
            null => false,
            JsonObject o => o.Any(p => Text(p.Key) || Node(p.Value)),
            JsonArray a => a.Any(Node),
            JsonValue v => v.GetValueKind() == JsonValueKind.String && Text(v.GetValue<string>()),
            _ => false,
        };

        static bool Pairs<T>(IReadOnlyList<KeyValuePair<string, T>>? pairs, Func<T, bool> value) =>
            pairs is not null && pairs.Any(p => Text(p.Key) || value(p.Value));

        return Pairs(update.Set, Node) || Pairs(update.SetOnce, Node) || Pairs(update.Add, _ => false)
            || Pairs(update.Union, Node) || Pairs(update.Append, Node) || Pairs(update.Remove, Node)
            || (update.Unset?.Any(Text) ?? false)
            || (update.SetsProperties && update.Geo is { } geo && geo.Properties().Any(p => Text(p.Value)));
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
        Message = "Profile store opened: PostgreSQL database {Database} on {Host}:{Port}")]
    private partial void LogOpened(string database, string host, int port);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Applied schema migration {Version} ({Description}) to PostgreSQL database {Database} on {Host}")]
    private partial void LogMigrationApplied(int version, string description, string database, string host);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "A commit of {RequestCount} batches ({UpdateCount} updates) to PostgreSQL database {Database} on {Host} failed; none of them was stored")]
    private partial void LogGroupFailed(Exception exception, int requestCount, int updateCount, string database, string host);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Profile store closed: PostgreSQL database {Database} on {Host}")]
    private partial void LogClosed(string database, string host);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "PostgreSQL reported {SqlState} for a commit to database {Database} on {Host}; retrying (attempt {Attempt})")]
    private partial void LogRetrying(string sqlState, int attempt, string database, string host);
}
