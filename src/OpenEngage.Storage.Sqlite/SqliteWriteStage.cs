using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The state of the embedded store's pipelined group commit (<see cref="SqlitePipelinedWriter"/>)
/// and the work of its two stages.
/// </summary>
/// <remarks>
/// The first stage's thread calls <see cref="Prepare"/>, <see cref="Committed"/> and
/// <see cref="Discard"/>, and owns the working set, the uncommitted profiles, the profile cache and
/// the read-only load connection. The second stage's thread calls <see cref="Commit"/> and owns the
/// write connection. While a commit runs in isolation (<see cref="CommitGroup.IsolateAsync"/>) the
/// commit stage is idle and the first stage's thread calls both. <see cref="Open"/> and
/// <see cref="Close"/> run before the stages start and after they stopped.
/// </remarks>
internal sealed partial class SqliteWriteStage
{
    /// <summary>The WAL size, in pages, after which a commit also checkpoints (SQLite's default is 1,000).</summary>
    private const int WalAutoCheckpointPages = 16_384;

    private readonly ILogger _logger;
    private readonly string _writeConnectionString;
    private readonly string _loadConnectionString;
    private readonly WorkingSet _working;
    private readonly Dictionary<ProfileKey, Uncommitted> _uncommitted = [];

    /// <summary>The profiles of the group being prepared whose chain head was not in their row when the group first touched them.</summary>
    private readonly Dictionary<ProfileKey, SqliteChainHead> _heads = [];
    private readonly ProfileCache _cache;

    /// <summary>The log rows of the group being prepared, copied into it once it is prepared.</summary>
    private readonly List<SqlitePreparedLogRow> _preparedLogRows = [];
    private readonly bool _history;
    private long _preparedGroups;

    private SqliteConnection? _loader;
    private SqliteCommand? _select;
    private SqliteCommand? _selectParkedLatest;
    private SqliteConnection? _writer;
    private SqliteRawStatement? _upsert;
    private SqliteRawStatement? _delete;
    private SqliteCommand? _dataVersion;
    private SqliteCommand? _touch;
    private long _lastDataVersion;

    public SqliteWriteStage(string databasePath, string writeConnectionString, string readConnectionString, int profileCacheSize, ProfileEngine engine, HistoryOptions history, ILogger logger)
    {
        DatabasePath = databasePath;
        _writeConnectionString = writeConnectionString;
        _loadConnectionString = new SqliteConnectionStringBuilder(readConnectionString) { Pooling = false }.ToString();
        _cache = new ProfileCache(profileCacheSize);
        _history = history.Enabled;
        _working = new WorkingSet(engine, LoadFirst, history.Enabled ? LoadNewer : null) { RecordChanges = history.Enabled };
        _logger = logger;
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The journal mode of the write connection, as read back from SQLite.</summary>
    public string? JournalMode { get; private set; }

    /// <summary>The <c>synchronous</c> setting of the write connection, as read back from SQLite (2 = FULL).</summary>
    public long Synchronous { get; private set; }

    /// <summary>Runs on the first stage's thread each time it has taken a group, before preparing it.</summary>
    public Action? OnGroupTaken { get; set; }

    /// <summary>Runs on the second stage's thread before each commit of a prepared group.</summary>
    public Action? OnCommitStarting { get; set; }

    /// <summary>Opens both connections, migrates the schema and returns the migrations applied.</summary>
    public IReadOnlyList<SchemaMigration> Open()
    {
        try
        {
            var applied = OpenWriter(migrate: true);
            OpenLoader();
            return applied;
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Closes both connections.</summary>
    public void Close()
    {
        CloseWriter();
        CloseLoader();
    }

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

            var applied = migrate ? SqliteSchema.Migrate(connection, migration => _logger.MigrationStarting(migration.Version, migration.Description, DatabasePath)) : [];

            // The statements the commit runs per row bind ?1 project, ?2 group key, ?3 id (BindKey) first.
            _upsert = SqliteRawStatement.Prepare(connection, """
                INSERT INTO profiles (project, group_key, id, properties) VALUES (?1, ?2, ?3, jsonb(?4))
                ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
                """);
            _delete = SqliteRawStatement.Prepare(connection, "DELETE FROM profiles WHERE project = ?1 AND group_key = ?2 AND id = ?3;");
            PrepareChangeCommands(connection);
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
        DisposeChangeCommands();
        if (_writer is not null)
        {
            SkipCheckpointOnCloseIfUnwritable(_writer);
        }

        _writer?.Dispose();
        _upsert = _delete = null;
        _dataVersion = _touch = null;
        _writer = null;
    }

    /// <summary>
    /// Opens the first stage's read-only connection, which loads profiles that are neither cached
    /// nor uncommitted. WAL lets it read the committed state while the write connection commits.
    /// </summary>
    private void OpenLoader()
    {
        var connection = new SqliteConnection(_loadConnectionString);
        try
        {
            connection.Open();

            // SQLite's default page cache (2 MiB), not a large one: in WAL mode a connection
            // empties its whole page cache when another connection committed since its last read,
            // which the write connection does after every group, so a large cache was mostly
            // emptied again (its truncation alone showed up in CPU profiles); the profile cache
            // keeps what the first stage reads again. Against 64 MiB, in the benchmark's alternating
            // runs, the default was as fast with 2000-record batches and history on, and 5 to 12 %
            // faster with single records and with history off.
            _select = Command(connection, "SELECT json(properties), log_time FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;");
            if (_history)
            {
                _selectParkedLatest = Command(connection, "SELECT log_time FROM log_heads WHERE project = $project AND group_key = $group_key AND id = $id;");
                PrepareLogCommands(connection);
            }

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
        DisposeLogCommands();
        _select?.Dispose();
        _selectParkedLatest?.Dispose();
        _loader?.Dispose();
        _select = _selectParkedLatest = null;
        _loader = null;
    }

    /// <summary>Reads a profile's committed state (first stage, on the load connection).</summary>
    private ProfileState Load(ProfileKey key)
    {
        Bind(_select!, key);
        JsonObject? properties = null;
        long? latest = null;
        using (var reader = _select!.ExecuteReader())
        {
            if (reader.Read())
            {
                properties = StoredProperties.Parse(reader.GetString(0));
                latest = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            }
        }

        if (!_history)
        {
            return new ProfileState(properties, long.MinValue) { Owned = true };
        }

        // The time of the newest history row is the head of the profile's chain: in its row, or
        // in log_heads while it has none (or its row was written with history off).
        if (latest is null)
        {
            Bind(_selectParkedLatest!, key);
            latest = _selectParkedLatest!.ExecuteScalar() is long parked ? parked : null;
        }

        return new ProfileState(properties, latest ?? long.MinValue) { Owned = true };
    }

    /// <summary>
    /// The state a group's first update of a profile starts from (<see cref="LoadCurrent"/>),
    /// noting a profile without history (its chain starts in this group) and one that has history
    /// but no row (the head of its chain is in <c>log_heads</c>).
    /// </summary>
    private ProfileState LoadFirst(ProfileKey key)
    {
        var state = LoadCurrent(key);
        if (_history && (state.Latest == long.MinValue || state.Properties is null))
        {
            _heads[key] = state.Latest == long.MinValue ? SqliteChainHead.None : SqliteChainHead.Parked;
        }

        return state;
    }

    private static object? ExecuteScalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>A prepared command of the load connection whose first parameters are a profile's key (<see cref="Bind"/>), then <paramref name="more"/>.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] more)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$project", SqliteType.Text);
        command.Parameters.Add("$group_key", SqliteType.Text);
        command.Parameters.Add("$id", SqliteType.Text);
        foreach (var (name, type) in more)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, ProfileKey key)
    {
        command.Parameters[0].Value = key.Project;
        command.Parameters[1].Value = key.GroupKey;
        command.Parameters[2].Value = key.Id;
    }

    /// <summary>Binds a profile's key to parameters 1 to 3 of a raw statement.</summary>
    private static void BindKey(SqliteRawStatement statement, ProfileKey key)
    {
        statement.BindText(1, key.Project);
        statement.BindText(2, key.GroupKey);
        statement.BindText(3, key.Id);
    }

    /// <summary>A changed profile of a group that is prepared but not known to be committed.</summary>
    private readonly record struct Uncommitted(JsonObject? Profile, long Latest, long Sequence);
}
