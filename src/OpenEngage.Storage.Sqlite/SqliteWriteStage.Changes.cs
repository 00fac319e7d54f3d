using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The change log and the record log (the property history), written in the transaction of the
/// profiles they describe, and read back by the first stage when a late record arrives.
/// </summary>
internal sealed partial class SqliteWriteStage
{
    private SqliteRawStatement? _insertChange;
    private SqliteRawStatement? _insertHistory;
    private SqliteRawStatement? _deleteHistoryAfter;
    private SqliteCommand? _selectLatest;
    private SqliteCommand? _selectNewer;

    /// <summary>The statements of the change and record logs, on the write connection; each binds the profile's key to ?1 to ?3 (<see cref="BindKey"/>).</summary>
    private void PrepareChangeCommands(SqliteConnection connection)
    {
        _insertChange = SqliteRawStatement.Prepare(connection, """
            INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);
            """);

        _insertHistory = SqliteRawStatement.Prepare(connection, """
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);
            """);

        _deleteHistoryAfter = SqliteRawStatement.Prepare(connection, """
            DELETE FROM profile_history WHERE project = ?1 AND group_key = ?2 AND id = ?3 AND time > ?4;
            """);
    }

    private void PrepareLogCommands(SqliteConnection connection)
    {
        _selectLatest = Command(connection, """
            SELECT max(time) FROM profile_history WHERE project = $project AND group_key = $group_key AND id = $id;
            """);
        _selectNewer = Command(connection, """
            SELECT time, received, source, credential, kind, changes, record_json FROM profile_history
            WHERE project = $project AND group_key = $group_key AND id = $id AND time > $after AND time <= $up_to
            ORDER BY time, seq;
            """, ("$after", SqliteType.Integer), ("$up_to", SqliteType.Integer));
    }

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

    private void DisposeChangeCommands()
    {
        _insertChange?.Dispose();
        _insertHistory?.Dispose();
        _deleteHistoryAfter?.Dispose();
        _insertChange = _insertHistory = _deleteHistoryAfter = null;
    }

    private void DisposeLogCommands()
    {
        _selectLatest?.Dispose();
        _selectNewer?.Dispose();
        _selectLatest = _selectNewer = null;
    }

    /// <summary>First stage: the time of a profile's newest committed log record.</summary>
    private long LoadLatest(ProfileKey key)
    {
        Bind(_selectLatest!, key);
        return _selectLatest!.ExecuteScalar() is long latest ? latest : long.MinValue;
    }

    /// <summary>
    /// First stage: a profile's committed log records after <paramref name="after"/> (and not
    /// after <paramref name="upTo"/>), in the order they were applied. A profile the group being
    /// committed changed has rows the database does not hold yet: the group waits for that commit.
    /// </summary>
    private List<LoggedRecord> LoadNewer(ProfileKey key, long after, long? upTo)
    {
        if (_uncommitted.ContainsKey(key))
        {
            throw new LateRecordWaitsForCommitException();
        }

        var command = _selectNewer!;
        Bind(command, key);
        command.Parameters[3].Value = after;
        command.Parameters[4].Value = upTo ?? long.MaxValue;
        using var reader = command.ExecuteReader();
        return HistoryRows.LoggedRecords(reader, key);
    }

    /// <summary>Second stage, inside the group's transaction: the change-log rows, then each profile's log rows.</summary>
    private void WriteChanges(SqlitePreparedChange[] changes, SqlitePreparedLog[] logs)
    {
        if (changes.Length == 0 && logs.Length == 0)
        {
            return;
        }

        var insertChange = _insertChange!;
        foreach (var change in changes)
        {
            BindKey(insertChange, change.Key);
            insertChange.BindText(4, change.Text.Kind);
            insertChange.BindText(5, change.Text.Changed);
            insertChange.BindText(6, change.Text.Removed);
            insertChange.BindInt64(7, change.Time);
            insertChange.BindInt64(8, change.Received);
            insertChange.BindText(9, change.Source);
            insertChange.Execute();
        }

        var insertHistory = _insertHistory!;
        var deleteAfter = _deleteHistoryAfter!;
        foreach (var log in logs)
        {
            if (log.RewriteAfter is { } rewriteAfter)
            {
                BindKey(deleteAfter, log.Key);
                deleteAfter.BindInt64(4, rewriteAfter);
                deleteAfter.Execute();
            }

            foreach (var row in log.Rows)
            {
                // Execute clears the bindings: the key is bound again for every row.
                BindKey(insertHistory, log.Key);
                insertHistory.BindInt64(4, row.Time);
                insertHistory.BindInt64(5, row.Received);
                insertHistory.BindText(6, row.Source);
                insertHistory.BindText(7, row.Credential);
                insertHistory.BindText(8, row.Kind);
                insertHistory.BindText(9, row.Changes);
                insertHistory.BindText(10, row.Record);
                insertHistory.Execute();
            }
        }
    }
}
