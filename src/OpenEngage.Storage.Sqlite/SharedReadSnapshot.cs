using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Read connections that all see one committed state of the database: the first begins a read
/// transaction, the others open that transaction's WAL snapshot (<c>sqlite3_snapshot_open</c>)
/// before they read anything. A query split across them reads each profile once, from the same
/// state, as if one connection had read it all.
/// </summary>
internal sealed class SharedReadSnapshot : IAsyncDisposable
{
    private readonly List<(SqliteConnection Connection, SqliteTransaction Transaction)> _readers = [];

    private SharedReadSnapshot()
    {
    }

    /// <summary>
    /// The ids at which scans on this snapshot are split, one part per reader in order (set by the
    /// store once the readers are open; empty: one part).
    /// </summary>
    public IReadOnlyList<string> SplitPoints { get; set; } = [];

    /// <summary>The connections and their read transactions; at least one, at most the number asked for.</summary>
    public IReadOnlyList<(SqliteConnection Connection, SqliteTransaction Transaction)> Readers => _readers;

    /// <summary>
    /// Opens up to <paramref name="count"/> readers on one snapshot. When SQLite cannot share the
    /// snapshot, fewer readers come back (at least the first), never readers on different states.
    /// </summary>
    public static async Task<SharedReadSnapshot> OpenAsync(Func<CancellationToken, Task<SqliteConnection>> open, int count, CancellationToken cancellationToken)
    {
        var shared = new SharedReadSnapshot();
        try
        {
            var first = await open(cancellationToken).ConfigureAwait(false);
            var transaction = first.BeginTransaction(deferred: true);
            shared._readers.Add((first, transaction));
            if (count <= 1)
            {
                return shared;
            }

            // A read starts the WAL read transaction whose snapshot the others open.
            Read(first, transaction);
            if (raw.sqlite3_snapshot_get(first.Handle, "main", out var snapshot) == raw.SQLITE_OK)
            {
                using (snapshot)
                {
                    for (var i = 1; i < count; i++)
                    {
                        // A connection finds the WAL at its first read; only then can it open a snapshot.
                        var connection = await open(cancellationToken).ConfigureAwait(false);
                        Read(connection, null);
                        var other = connection.BeginTransaction(deferred: true);
                        if (raw.sqlite3_snapshot_open(connection.Handle, "main", snapshot) != raw.SQLITE_OK)
                        {
                            await Close(connection, other).ConfigureAwait(false);
                            break;
                        }

                        shared._readers.Add((connection, other));
                    }
                }

                return shared;
            }

            snapshot?.Dispose();

            // SQLite takes no snapshot while the WAL holds no transaction (a database nobody wrote
            // to since it was opened): the first reader reads the database file alone. A later
            // reader that still finds no transaction in the WAL reads the same; none can be
            // checkpointed into the file while the first reader holds its read transaction.
            for (var i = 1; i < count; i++)
            {
                var connection = await open(cancellationToken).ConfigureAwait(false);
                var other = connection.BeginTransaction(deferred: true);
                Read(connection, other);
                if (raw.sqlite3_snapshot_get(connection.Handle, "main", out var written) == raw.SQLITE_OK)
                {
                    written.Dispose();
                    await Close(connection, other).ConfigureAwait(false);
                    break;
                }

                written?.Dispose();
                shared._readers.Add((connection, other));
            }

            return shared;
        }
        catch
        {
            await shared.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void Read(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM sqlite_schema;";
        command.ExecuteScalar();
    }

    private static async Task Close(SqliteConnection connection, SqliteTransaction transaction)
    {
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (connection, transaction) in _readers)
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _readers.Clear();
    }
}
