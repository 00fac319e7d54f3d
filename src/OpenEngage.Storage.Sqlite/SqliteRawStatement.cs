using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// A statement prepared once on a connection's handle and executed through SQLitePCLRaw directly,
/// without Microsoft.Data.Sqlite's per-execution work (parsing the command text into statements,
/// binding parameters by value type, transcoding every string): the group commit runs one per
/// stored row. Parameters are numbered from 1 in the order of the statement's <c>?NNN</c>
/// placeholders. Every failure throws a <see cref="SqliteException"/>, as a command would.
/// </summary>
/// <remarks>
/// Runs inside the connection's <see cref="SqliteTransaction"/> (SQLite has one transaction per
/// connection). After each execution the statement is reset and its bindings cleared, so it never
/// holds the transaction open or keeps a copy of a bound text. Dispose it before the connection.
/// </remarks>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteRawStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares one SQL statement on an open connection.</summary>
    public static SqliteRawStatement Prepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return new SqliteRawStatement(db, statement!);
    }

    /// <summary>Binds a text parameter given as a string (SQLite stores its UTF-8).</summary>
    public void BindText(int index, string value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds a text parameter given as its UTF-8 bytes, which SQLite copies.</summary>
    public void BindText(int index, ReadOnlySpan<byte> value) =>
        // An empty span has no address, and SQLite would bind NULL for it: bind the empty text instead.
        Check(value.IsEmpty ? raw.sqlite3_bind_text(_statement, index, string.Empty) : raw.sqlite3_bind_text(_statement, index, value));

    public void BindInt64(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Runs the statement to completion (it returns no rows), then resets it and clears its bindings.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_DONE)
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
            return;
        }

        try
        {
            // The connection's message describes the step's error; read it before resetting.
            if (rc == raw.SQLITE_ROW)
            {
                throw new InvalidOperationException("A statement that writes returned a row.");
            }

            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    /// <summary>
    /// Runs a statement that reads at most one row of one or two integer columns, then resets it and
    /// clears its bindings. Returns false when it found no row; a NULL column reads as null.
    /// </summary>
    public bool TryRead(out long? first, out long? second)
    {
        first = second = null;
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                return false;
            }

            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            var columns = raw.sqlite3_column_count(_statement);
            first = Column(0);
            second = columns > 1 ? Column(1) : null;
            return true;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private long? Column(int index) =>
        raw.sqlite3_column_type(_statement, index) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_statement, index);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            raw.sqlite3_clear_bindings(_statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
