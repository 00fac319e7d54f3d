using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>The change log and the property history, written in the transaction of the profiles they describe.</summary>
internal sealed partial class SqliteWriteStage
{
    private SqliteCommand? _insertChange;
    private SqliteCommand? _insertHistory;

    private void PrepareChangeCommands(SqliteConnection connection)
    {
        _insertChange = connection.CreateCommand();
        _insertChange.CommandText = """
            INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
            VALUES ($project, $group_key, $id, $kind, $changed, $removed, $time, $received, $source);
            """;
        AddParameters(_insertChange, ("$kind", SqliteType.Text), ("$changed", SqliteType.Text), ("$removed", SqliteType.Text),
            ("$time", SqliteType.Integer), ("$received", SqliteType.Integer), ("$source", SqliteType.Text));

        _insertHistory = connection.CreateCommand();
        _insertHistory.CommandText = """
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, changes)
            VALUES ($project, $group_key, $id, $time, $received, $source, $credential, $changes);
            """;
        AddParameters(_insertHistory, ("$time", SqliteType.Integer), ("$received", SqliteType.Integer), ("$source", SqliteType.Text),
            ("$credential", SqliteType.Text), ("$changes", SqliteType.Text));
    }

    private static void AddParameters(SqliteCommand command, params (string Name, SqliteType Type)[] more)
    {
        command.Parameters.Add("$project", SqliteType.Text);
        command.Parameters.Add("$group_key", SqliteType.Text);
        command.Parameters.Add("$id", SqliteType.Text);
        foreach (var (name, type) in more)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
    }

    private void DisposeChangeCommands()
    {
        _insertChange?.Dispose();
        _insertHistory?.Dispose();
        _insertChange = _insertHistory = null;
    }

    /// <summary>Second stage, inside the group's transaction: one change-log row and one history row per change.</summary>
    private void WriteChanges(SqlitePreparedChange[] changes, SqliteTransaction transaction)
    {
        if (changes.Length == 0)
        {
            return;
        }

        var insertChange = _insertChange!;
        var insertHistory = _insertHistory!;
        insertChange.Transaction = transaction;
        insertHistory.Transaction = transaction;
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

            Bind(insertHistory, change.Key);
            insertHistory.Parameters[3].Value = change.Time;
            insertHistory.Parameters[4].Value = change.Received;
            insertHistory.Parameters[5].Value = change.Source;
            insertHistory.Parameters[6].Value = change.Credential;
            insertHistory.Parameters[7].Value = change.Text.History;
            insertHistory.ExecuteNonQuery();
        }
    }
}
