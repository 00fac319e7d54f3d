using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The log (the property history, whose rows that changed a profile are also the change feed's),
/// written in the transaction of the profiles it describes, and read back by the first stage when a
/// late record arrives.
/// </summary>
/// <remarks>
/// A profile's history rows form a chain (<see cref="SqliteHistoryChain"/>): each row names the
/// profile's previous row (<c>prev</c>), and the head (the newest row's <c>seq</c> and the newest time
/// of the profile's rows) is stored in the profile's row, or in <c>log_heads</c> while the profile
/// has no row. The commit reads the head inside its own transaction: a group committed just before
/// may have moved it after this group was prepared. It skips the read only for a profile the first
/// stage found without any history: the group being committed had no rows for it either, and a
/// write by another connection since makes this group stale before it writes anything.
/// </remarks>
internal sealed partial class SqliteWriteStage
{
    private SqliteLogRowInserter? _logRows;
    private SqliteRawStatement? _readHead;
    private SqliteRawStatement? _readLogRow;
    private SqliteRawStatement? _deleteLogRow;
    private SqliteRawStatement? _unchainLogRow;
    private SqliteRawStatement? _upsertWithHead;
    private SqliteRawStatement? _setHead;
    private SqliteRawStatement? _parkHead;
    private SqliteRawStatement? _unparkHead;
    private SqliteCommand? _selectNewer;

    /// <summary>The statements of the log, on the write connection; those of a profile bind its key to ?1 to ?3 (<see cref="BindKey"/>).</summary>
    private void PrepareChangeCommands(SqliteConnection connection)
    {
        _logRows = SqliteLogRowInserter.Prepare(connection);

        _readHead = SqliteRawStatement.Prepare(connection, $"SELECT {SqliteHistoryChain.Head("?1", "?2", "?3")};");
        _readLogRow = SqliteRawStatement.Prepare(connection, "SELECT time, prev FROM profile_history WHERE seq = ?1;");
        _deleteLogRow = SqliteRawStatement.Prepare(connection, $"DELETE FROM profile_history WHERE seq = ?1 AND feed = {(int)SqliteLogRowRole.HistoryOnly};");
        _unchainLogRow = SqliteRawStatement.Prepare(connection, $"UPDATE profile_history SET feed = {(int)SqliteLogRowRole.FeedOnly} WHERE seq = ?1;");
        _upsertWithHead = SqliteRawStatement.Prepare(connection, """
            INSERT INTO profiles (project, group_key, id, properties, log_seq, log_time) VALUES (?1, ?2, ?3, jsonb(?4), ?5, ?6)
            ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties, log_seq = excluded.log_seq, log_time = excluded.log_time;
            """);
        _setHead = SqliteRawStatement.Prepare(connection, "UPDATE profiles SET log_seq = ?4, log_time = ?5 WHERE project = ?1 AND group_key = ?2 AND id = ?3;");
        _parkHead = SqliteRawStatement.Prepare(connection, """
            INSERT INTO log_heads (project, group_key, id, log_seq, log_time) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (project, group_key, id) DO UPDATE SET log_seq = excluded.log_seq, log_time = excluded.log_time;
            """);
        _unparkHead = SqliteRawStatement.Prepare(connection, "DELETE FROM log_heads WHERE project = ?1 AND group_key = ?2 AND id = ?3;");
    }

    private void PrepareLogCommands(SqliteConnection connection) =>
        _selectNewer = Command(connection, SqliteHistoryChain.NewerSql, ("$after", SqliteType.Integer), ("$up_to", SqliteType.Integer));

    private void DisposeChangeCommands()
    {
        _logRows?.Dispose();
        _logRows = null;
        SqliteRawStatement?[] statements = [_readHead, _readLogRow, _deleteLogRow, _unchainLogRow, _upsertWithHead, _setHead, _parkHead, _unparkHead];
        foreach (var statement in statements)
        {
            statement?.Dispose();
        }

        _readHead = _readLogRow = _deleteLogRow = _unchainLogRow = null;
        _upsertWithHead = _setHead = _parkHead = _unparkHead = null;
    }

    private void DisposeLogCommands()
    {
        _selectNewer?.Dispose();
        _selectNewer = null;
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

    /// <summary>
    /// Second stage, inside the group's transaction: each profile's log rows appended to its chain
    /// (after removing the rows a late record rewrites). Returns the chains' new heads, by row.
    /// </summary>
    private long?[] AppendLogs(SqlitePreparedGroup prepared)
    {
        if (!_history)
        {
            return [];
        }

        var rows = prepared.Rows;
        var heads = new long?[rows.Length];
        _logRows!.Begin();
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Log is { } log)
            {
                heads[i] = AppendLog(rows[i], log, prepared.LogRows);
            }
        }

        _logRows.Flush();
        return heads;
    }

    private long? AppendLog(SqlitePreparedRow row, SqlitePreparedLog log, SqlitePreparedLogRow[] logRows)
    {
        var key = row.Key;
        var chain = logRows.AsSpan(log.Start, log.ChainRows);
        var feedOnly = logRows.AsSpan(log.Start + log.ChainRows, log.FeedOnlyRows);
        long? head = null;

        // The stored head is read here only when the chain is cut back first, or when no row goes
        // on it; otherwise the first appended row looks it up itself.
        var headKnown = row.Head == SqliteChainHead.None;
        if (!headKnown && (log.RewriteAfter is not null || chain.IsEmpty))
        {
            BindKey(_readHead!, key);
            _readHead!.TryRead(out head, out _);
            headKnown = true;
        }

        if (log.RewriteAfter is { } rewriteAfter)
        {
            head = DropNewerThan(head, rewriteAfter);
        }

        foreach (ref readonly var logRow in chain)
        {
            head = headKnown ? _logRows!.Add(key, logRow, head) : _logRows!.AddAfterStoredHead(key, logRow);
            headKnown = true;
        }

        // After the chain's rows, so the feed shows the group's changes of the profile after the
        // rows they follow; on no chain, they leave the head where it is.
        foreach (ref readonly var logRow in feedOnly)
        {
            _logRows!.Add(key, logRow, prev: null);
        }

        return head;
    }

    /// <summary>
    /// Second stage, inside the group's transaction: a changed profile's row, upserted (with the
    /// chain's new head when the group logged rows for it) or deleted.
    /// </summary>
    private void WriteProfile(SqlitePreparedRow row, long? head)
    {
        if (row.Json is { } json)
        {
            var upsert = row.Logged ? _upsertWithHead! : _upsert!;
            BindKey(upsert, row.Key);
            upsert.BindText(4, json.Span);
            if (row.Logged)
            {
                BindHead(upsert, 5, head, row.Latest);
            }

            upsert.Execute();
        }
        else if (row.Stored)
        {
            BindKey(_delete!, row.Key);
            _delete!.Execute();
        }
    }

    /// <summary>
    /// Second stage, after <see cref="WriteProfile"/>, for a profile the group logged rows for: the
    /// chain's new head where it belongs. The upsert of a changed profile carried it; an unchanged
    /// profile's row takes it; a profile without a row parks it in <c>log_heads</c>, which gives up
    /// a head parked before once the profile has a row (or no head) again.
    /// </summary>
    private void StoreHead(SqlitePreparedRow row, long? head)
    {
        var key = row.Key;
        if (row.ExistsAfter)
        {
            if (!row.Dirty)
            {
                BindKey(_setHead!, key);
                BindHead(_setHead!, 4, head, row.Latest);
                _setHead!.Execute();
            }
        }
        else if (head is not null)
        {
            BindKey(_parkHead!, key);
            BindHead(_parkHead!, 4, head, row.Latest);
            _parkHead!.Execute();
            return;
        }

        if (row.Head == SqliteChainHead.Parked)
        {
            BindKey(_unparkHead!, key);
            _unparkHead!.Execute();
        }
    }

    /// <summary>
    /// Takes the rows of a chain newer than <paramref name="after"/> off it, walking from its head,
    /// and returns the new head: the first row kept (or the <c>seq</c> the walk stopped at, when
    /// retention purged that row). A row the change feed showed stays for the feed (feed only); any
    /// other is deleted. Along a chain of a project ordered by time, times never increase (an
    /// in-order record is at least as new as the profile's newest, and a late record rewrites every
    /// row after its time), so the walk stops at the first row not newer.
    /// </summary>
    private long? DropNewerThan(long? head, long after)
    {
        var current = head;
        while (current is { } seq)
        {
            _readLogRow!.BindInt64(1, seq);
            if (!_readLogRow.TryRead(out var time, out var prev) || time <= after)
            {
                break;
            }

            _deleteLogRow!.BindInt64(1, seq);
            _deleteLogRow.Execute();
            _unchainLogRow!.BindInt64(1, seq);
            _unchainLogRow.Execute();
            current = prev;
        }

        return current;
    }

    /// <summary>Binds a chain's head (its newest row's <c>seq</c>, NULL when it has none) and the newest time of its rows.</summary>
    private static void BindHead(SqliteRawStatement statement, int index, long? head, long latest)
    {
        if (head is { } seq)
        {
            statement.BindInt64(index, seq);
            statement.BindInt64(index + 1, latest);
        }
    }
}
