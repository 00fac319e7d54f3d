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
/// stages on two dedicated threads (<see cref="SqlitePipelinedWriter"/>, whose state is the
/// <see cref="SqliteWriteStage"/>). The first
/// prepares a group: it applies the updates in queue order, reading each profile from the group
/// being committed, the cache or the database (through its own read-only connection), and
/// serialises the changed profiles. The second owns the write connection: it writes a prepared
/// group in ONE transaction, commits, and only then completes the waiting callers. The first stage
/// prepares the next group while the second commits the previous one. Several updates to one
/// profile in a group see each other and the profile is written once. When a transaction fails,
/// nothing of the group is stored and every caller of that group gets the exception, unless SQLite
/// refused the group's data (a constraint, a value too big): then the group is isolated and only the
/// refused updates are rejected (see <see cref="CommitGroup"/>). A group that was prepared on
/// top of a failed one is prepared again from committed state.
/// The first stage keeps the committed state of recently written profiles in a bounded
/// <see cref="ProfileCache"/> (<see cref="SqliteStoreOptions.ProfileCacheSize"/>), so a hot profile
/// is not read back and parsed in every commit, and the state of the group being committed apart
/// from it, so nothing in flight is evicted or read stale; the profiles in
/// <see cref="ApplyResult"/>s are shared with that cache and must not be modified.
/// Reads use pooled read-only connections, which WAL lets run alongside the writer.
/// </remarks>
public sealed partial class SqliteProfileStore : IProfileStore
{
    /// <summary>The name of the database file inside <see cref="SqliteStoreOptions.Path"/>.</summary>
    public const string DatabaseFileName = "openengage.db";

    private readonly ILogger<SqliteProfileStore> _logger;
    private readonly string _directory;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly GroupCommitQueue _commits;
    private readonly SqliteWriteStage _writes;
    private readonly ScanPartitions _partitions;
    private Task? _writerLoop;
    private long _splitScans;
    private int _initialized;
    private int _disposed;

    /// <param name="history">The change log and history settings; null keeps the defaults (90 days).</param>
    public SqliteProfileStore(SqliteStoreOptions options, ProfileEngine engine, ILogger<SqliteProfileStore> logger, HistoryOptions? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUpdatesPerCommit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ProfileCacheSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueryParallelism, 1);

        _logger = logger;
        _directory = System.IO.Path.GetFullPath(options.Path);
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
        History = history ?? new HistoryOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(History.RetentionDays);
        _writes = new SqliteWriteStage(DatabasePath, _writeConnectionString, _readConnectionString, options.ProfileCacheSize, engine, History, logger);
        _partitions = new ScanPartitions(OpenReaderAsync, options.QueryParallelism, options.MinProfilesPerScanPart, logger.SplitPointsFailed, TimeProvider.System);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The change log and history settings.</summary>
    public HistoryOptions History { get; }

    /// <summary>The journal mode of the write connection, as read back from SQLite.</summary>
    internal string? JournalMode => _writes.JournalMode;

    /// <summary>The <c>synchronous</c> setting of the write connection, as read back from SQLite (2 = FULL).</summary>
    internal long Synchronous => _writes.Synchronous;

    /// <summary>Runs on the first stage's thread each time it has taken a group, before preparing it.</summary>
    internal Action? OnGroupTaken
    {
        get => _writes.OnGroupTaken;
        set => _writes.OnGroupTaken = value;
    }

    /// <summary>Runs on the second stage's thread before each commit of a prepared group.</summary>
    internal Action? OnCommitStarting
    {
        get => _writes.OnCommitStarting;
        set => _writes.OnCommitStarting = value;
    }

    /// <summary>
    /// How many queued updates make the first stage prepare the next group while one is being
    /// committed (see <see cref="SqlitePipelinedWriter"/>). Set before InitializeAsync.
    /// </summary>
    internal int PipelineAfterUpdates { get; set; } = DefaultPipelineAfterUpdates;

    /// <summary>
    /// A batch of a few hundred updates takes about as long to prepare as a commit takes; fewer
    /// queued updates than that are better left to share the next commit with what arrives meanwhile.
    /// </summary>
    internal const int DefaultPipelineAfterUpdates = 256;

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

            foreach (var migration in _writes.Open())
            {
                _logger.MigrationApplied(migration.Version, migration.Description, DatabasePath);
            }
        }
        catch
        {
            Volatile.Write(ref _initialized, 0);
            throw;
        }

        _logger.Opened(DatabasePath, JournalMode!, Synchronous);

        _writerLoop = new SqlitePipelinedWriter(_commits, _writes, PipelineAfterUpdates).Start();
        return Task.CompletedTask;
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
        _commits.Complete();
        if (_writerLoop is not null)
        {
            await _writerLoop.ConfigureAwait(false);
        }

        await _partitions.DisposeAsync().ConfigureAwait(false);
        _writes.Close();
        using (var pooled = new SqliteConnection(_readConnectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        if (_writerLoop is not null)
        {
            _logger.Closed(DatabasePath);
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

    /// <summary>Waits until the split points of parallel scans searched for so far are in place.</summary>
    internal Task WhenScanPartsFoundAsync() => _partitions.WhenIdleAsync();
}
