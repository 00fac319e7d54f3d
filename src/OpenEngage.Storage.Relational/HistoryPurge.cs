namespace OpenEngage.Storage.Relational;

/// <summary>
/// The retention purge both relational stores run: each log table's rows that arrived before the
/// cutoff, deleted in slices, each its own short statement or transaction, so no writer waits long.
/// </summary>
public static class HistoryPurge
{
    /// <summary>How many rows one slice deletes at most.</summary>
    public const int Slice = 10_000;

    /// <summary>Deletes in slices until a slice finds fewer rows than it may take; returns how many rows went.</summary>
    /// <param name="tables">The store's log tables, each with <c>seq</c> and <c>received</c> columns.</param>
    /// <param name="cutoffParameter">The store's placeholder for the cutoff (Unix ms), which <paramref name="executeAsync"/> binds.</param>
    /// <param name="executeAsync">Runs one slice's <c>DELETE</c> and returns the rows it deleted.</param>
    /// <param name="cancellationToken">Stops between slices.</param>
    public static async Task<long> RunAsync(IReadOnlyList<string> tables, string cutoffParameter, Func<string, CancellationToken, Task<long>> executeAsync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(executeAsync);
        long total = 0;
        foreach (var table in tables)
        {
            var sql = $"DELETE FROM {table} WHERE seq IN (SELECT seq FROM {table} WHERE received < {cutoffParameter} LIMIT {Slice});";
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var removed = await executeAsync(sql, cancellationToken).ConfigureAwait(false);
                total += removed;
                if (removed < Slice)
                {
                    break;
                }
            }
        }

        return total;
    }
}
