using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The change log and the record log (the property history), written in the transaction of the
/// profiles they describe, and read back by the first stage when a late record arrives.
/// </summary>
internal sealed partial class SqliteWriteStage
{
    private SqliteCommand? _insertChange;
    private SqliteCommand? _insertHistory;
    private SqliteCommand? _deleteHistoryAfter;
    private SqliteCommand? _selectLatest;
    private SqliteCommand? _selectNewer;

    private void PrepareChangeCommands(SqliteConnection connection)
    {
        _insertChange = Command(connection, """
            INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
            VALUES ($project, $group_key, $id, $kind, $changed, $removed, $time, $received, $source);
            """, ("$kind", SqliteType.Text), ("$changed", SqliteType.Text), ("$removed", SqliteType.Text),
            ("$time", SqliteType.Integer), ("$received", SqliteType.Integer), ("$source", SqliteType.Text));

        _insertHistory = Command(connection, """
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
            VALUES ($project, $group_key, $id, $time, $received, $source, $credential, $kind, $changes, $record);
            """, ("$time", SqliteType.Integer), ("$received", SqliteType.Integer), ("$source", SqliteType.Text),
            ("$credential", SqliteType.Text), ("$kind", SqliteType.Text), ("$changes", SqliteType.Text), ("$record", SqliteType.Text));

        _deleteHistoryAfter = Command(connection, """
            DELETE FROM profile_history WHERE project = $project AND group_key = $group_key AND id = $id AND time > $after;
            """, ("$after", SqliteType.Integer));
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
        var records = new List<LoggedRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var update = ProfileUpdateJson.Deserialize(reader.GetString(6), key) with
            {
                ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                Source = reader.GetString(2),
                Credential = reader.GetString(3),
            };
            records.Add(new LoggedRecord(update, ProfileDiff.Parse(reader.GetString(4), reader.GetString(5))));
        }

        return records;
    }

    /// <summary>Second stage, inside the group's transaction: the change-log rows, then each profile's log rows.</summary>
    private void WriteChanges(SqlitePreparedChange[] changes, SqlitePreparedLog[] logs, SqliteTransaction transaction)
    {
        if (changes.Length == 0 && logs.Length == 0)
        {
            return;
        }

        var insertChange = _insertChange!;
        insertChange.Transaction = transaction;
        foreach (var change in changes)
        {
            Bind(insertChange, change.Key);
            insertChange.Parameters[3].Value = change.Text.Kind;
            insertChange.Parameters[4].Value = change.Text.Changed;
            insertChange.Parameters[5].Value = change.Text.Removed;
            insertChange.Parameters[6].Value = change.Time;
            insertChange.Parameters[7].Value = change.Received;
            insertChange.Parameters[8].Value = change.Source;
            insertChange.ExecuteNonQuery();
        }

        var insertHistory = _insertHistory!;
        var deleteAfter = _deleteHistoryAfter!;
        insertHistory.Transaction = transaction;
        deleteAfter.Transaction = transaction;
        foreach (var log in logs)
        {
            if (log.RewriteAfter is { } rewriteAfter)
            {
                Bind(deleteAfter, log.Key);
                deleteAfter.Parameters[3].Value = rewriteAfter;
                deleteAfter.ExecuteNonQuery();
            }

            Bind(insertHistory, log.Key);
            foreach (var row in log.Rows)
            {
                insertHistory.Parameters[3].Value = row.Time;
                insertHistory.Parameters[4].Value = row.Received;
                insertHistory.Parameters[5].Value = row.Source;
                insertHistory.Parameters[6].Value = row.Credential;
                insertHistory.Parameters[7].Value = row.Kind;
                insertHistory.Parameters[8].Value = row.Changes;
                insertHistory.Parameters[9].Value = row.Record;
                insertHistory.ExecuteNonQuery();
            }
        }
    }
}
