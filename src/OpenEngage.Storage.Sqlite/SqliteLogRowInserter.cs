using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Inserts a group's <c>profile_history</c> rows on the write connection, many rows per statement:
/// SQLite's work per statement (opening the table and its indexes, updating
/// <c>sqlite_sequence</c>) is then paid once for <see cref="RowsPerStatement"/> rows. The commit
/// gives every row its <c>seq</c> itself, counting on from the table's end read once inside the
/// group's transaction (the only writer, so no other row takes one meanwhile): a profile's next row
/// names its previous one before either is written. The first row of a chain that goes on from a
/// stored head looks that head up in the same statement (<see cref="SqliteHistoryChain.Head"/>):
/// the profile rows are written after every log row, so it is still the head before the group.
/// </summary>
internal sealed class SqliteLogRowInserter : IDisposable
{
    /// <summary>How many rows one multi-row statement inserts.</summary>
    public const int RowsPerStatement = 32;

    private const int Columns = 14;

    private readonly SqliteRawStatement _nextSeq;
    private readonly SqliteRawStatement _one;
    private readonly SqliteRawStatement _many;
    private readonly Queued[] _queued = new Queued[RowsPerStatement];
    private int _count;
    private long _next;

    private SqliteLogRowInserter(SqliteRawStatement nextSeq, SqliteRawStatement one, SqliteRawStatement many)
    {
        _nextSeq = nextSeq;
        _one = one;
        _many = many;
    }

    public static SqliteLogRowInserter Prepare(SqliteConnection connection)
    {
        // AUTOINCREMENT: never a seq the table held before, even one since deleted.
        var nextSeq = SqliteRawStatement.Prepare(connection, """
            SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'profile_history'), 0),
                       coalesce((SELECT max(seq) FROM profile_history), 0)) + 1;
            """);
        try
        {
            return new SqliteLogRowInserter(nextSeq, SqliteRawStatement.Prepare(connection, Insert(1)), SqliteRawStatement.Prepare(connection, Insert(RowsPerStatement)));
        }
        catch
        {
            nextSeq.Dispose();
            throw;
        }
    }

    /// <summary>Starts a group, inside its transaction: reads where the table's <c>seq</c> goes on.</summary>
    public void Begin()
    {
        _count = 0;
        _nextSeq.TryRead(out var next, out _);
        _next = next!.Value;
    }

    /// <summary>Queues one row and returns the <c>seq</c> it will have.</summary>
    /// <param name="prev">The profile's previous row on its chain; null for the chain's first row and for a row on no chain.</param>
    public long Add(ProfileKey key, in SqlitePreparedLogRow row, long? prev) => Queue(key, row, prev, afterStoredHead: false);

    /// <summary>Queues the first row the group appends to a chain that goes on from its stored head, and returns the <c>seq</c> it will have.</summary>
    public long AddAfterStoredHead(ProfileKey key, in SqlitePreparedLogRow row) => Queue(key, row, prev: null, afterStoredHead: true);

    private long Queue(ProfileKey key, in SqlitePreparedLogRow row, long? prev, bool afterStoredHead)
    {
        var seq = _next++;
        _queued[_count++] = new Queued(key, row, seq, prev, afterStoredHead);
        if (_count == RowsPerStatement)
        {
            Flush();
        }

        return seq;
    }

    /// <summary>Inserts every row queued.</summary>
    public void Flush()
    {
        if (_count == RowsPerStatement)
        {
            for (var i = 0; i < _count; i++)
            {
                Bind(_many, i * Columns, _queued[i]);
            }

            _many.Execute();
        }
        else
        {
            for (var i = 0; i < _count; i++)
            {
                Bind(_one, 0, _queued[i]);
                _one.Execute();
            }
        }

        Array.Clear(_queued, 0, _count);
        _count = 0;
    }

    public void Dispose()
    {
        _nextSeq.Dispose();
        _one.Dispose();
        _many.Dispose();
    }

    private static void Bind(SqliteRawStatement statement, int offset, in Queued queued)
    {
        var row = queued.Row;
        statement.BindInt64(offset + 1, queued.Seq);
        statement.BindText(offset + 2, queued.Key.Project);
        statement.BindText(offset + 3, queued.Key.GroupKey);
        statement.BindText(offset + 4, queued.Key.Id);
        statement.BindInt64(offset + 5, row.Time);
        statement.BindInt64(offset + 6, row.Received);
        statement.BindText(offset + 7, row.Source);
        statement.BindText(offset + 8, row.Credential);
        statement.BindText(offset + 9, row.Kind);
        statement.BindText(offset + 10, row.Changes.Span);
        statement.BindText(offset + 11, row.Record.Span);
        if (queued.Prev is { } prev)
        {
            statement.BindInt64(offset + 12, prev);
        }

        statement.BindInt64(offset + 13, (long)row.Role);
        statement.BindInt64(offset + 14, queued.AfterStoredHead ? 1 : 0);
    }

    private static string Insert(int rows)
    {
        var values = string.Join(", ", Enumerable.Range(0, rows).Select(row =>
        {
            string P(int column) => $"?{(row * Columns) + column}";
            var prev = $"CASE {P(14)} WHEN 1 THEN {SqliteHistoryChain.Head(P(2), P(3), P(4))} ELSE {P(12)} END";
            return $"({string.Join(", ", Enumerable.Range(1, 11).Select(P))}, {prev}, {P(13)})";
        }));
        return $"INSERT INTO profile_history (seq, project, group_key, id, time, received, source, credential, kind, changes, record_json, prev, feed) VALUES {values};";
    }

    private readonly record struct Queued(ProfileKey Key, SqlitePreparedLogRow Row, long Seq, long? Prev, bool AfterStoredHead);
}
