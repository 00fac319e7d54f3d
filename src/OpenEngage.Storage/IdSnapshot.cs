namespace OpenEngage.Storage;

/// <summary>
/// What the first page of a paging session needs: <see cref="Window"/>, the ids of the page asked
/// for; <see cref="Total"/>, the number of matches in all; and <see cref="ReadAllAsync"/>, every
/// matching id in the same order and from the same state of the store, for the session's later
/// pages. A store may hold that state open (a read transaction) until the ids are read or the
/// snapshot is disposed; who keeps the ids, and for how long, is the caller's business.
/// </summary>
public sealed class IdSnapshot : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<string>>> _readAll;
    private readonly Func<ValueTask>? _release;
    private int _released;

    /// <param name="window">The ids of the window asked for.</param>
    /// <param name="total">The number of matches.</param>
    /// <param name="readAll">Reads every matching id, in order, from the state of the window and the total.</param>
    /// <param name="release">Releases that state (called once, after the ids are read or on dispose).</param>
    public IdSnapshot(IReadOnlyList<string> window, long total, Func<CancellationToken, Task<IReadOnlyList<string>>> readAll, Func<ValueTask>? release = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(readAll);
        Window = window;
        Total = total;
        _readAll = readAll;
        _release = release;
    }

    public IReadOnlyList<string> Window { get; }

    public long Total { get; }

    /// <summary>A snapshot cut from every matching id already known: for a store without a cheaper way.</summary>
    public static IdSnapshot FromIds(IReadOnlyList<string> all, ProfileQuery query)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(query);
        return new IdSnapshot([.. all.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)], all.Count, _ => Task.FromResult(all));
    }

    /// <summary>Every matching id in order, from the snapshot's state; releases that state when done. Call it once.</summary>
    public async Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _readAll(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 && _release is not null ? _release() : ValueTask.CompletedTask;
}
