using System.Net.Sockets;
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
/// rejected (see <see cref="CommitGroup"/>), otherwise every caller of the group fails.
/// </para>
/// </remarks>
public sealed partial class PostgresProfileStore : IProfileStore
{
    private readonly ProfileEngine _engine;
    private readonly ILogger<PostgresProfileStore> _logger;
    private readonly int _maxRetries;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitQueue _commits;
    private readonly WorkingSet _working;

    private NpgsqlConnection? _writer;
    private Task? _writerLoop;
    private int _initialized;
    private int _disposed;

    /// <param name="history">The change log and history settings; null keeps the defaults (90 days).</param>
    public PostgresProfileStore(PostgresStoreOptions options, ProfileEngine engine, ILogger<PostgresProfileStore> logger, HistoryOptions? history = null)
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

        // Every key of a group is added from the database before its updates are applied.
        History = history ?? new HistoryOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(History.RetentionDays);
        _working = History.Enabled
            ? new WorkingSet(engine, static _ => ProfileState.Missing, LoadNewer) { RecordChanges = true }
            : new WorkingSet(engine, static _ => null);
    }

    /// <summary>The change log and history settings.</summary>
    public HistoryOptions History { get; }

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
                var starting = (Relational.SchemaMigration migration) => _logger.MigrationStarting(migration.Version, migration.Description, Database, Host);
                foreach (var migration in await PostgresSchema.MigrateAsync(connection, starting, cancellationToken).ConfigureAwait(false))
                {
                    _logger.MigrationApplied(migration.Version, migration.Description, Database, Host);
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

        _logger.Opened(Database, Host, Port);
        _writerLoop = Task.Run(WriterLoopAsync, CancellationToken.None);
    }

    public async Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken = default)
    {
        ProfileUpdateArguments.ThrowIfInvalid(updates);
        EnsureOpen();
        var results = await _commits.EnqueueAsync(updates, cancellationToken).ConfigureAwait(false);
        _changesCommitted.Pulse();
        return results;
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
        _commits.Complete();
        if (_writerLoop is not null)
        {
            await _writerLoop.ConfigureAwait(false);
        }

        await CloseWriterAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);

        if (_writerLoop is not null)
        {
            _logger.Closed(Database, Host);
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
}
