namespace OpenEngage.Storage;

/// <summary>
/// What the first page of a paging session needs: <see cref="Window"/>, the ids of the page asked
/// for; <see cref="Total"/>, the number of matches in all; and <see cref="All"/>, every matching
/// id in the same order and from the same state of the store, for the session's later pages. A
/// store may still be computing <see cref="All"/> when it hands out the first two.
/// </summary>
public sealed record IdSnapshot(IReadOnlyList<string> Window, long Total, Task<IReadOnlyList<string>> All)
{
    /// <summary>Finds every id first and cuts the window from them: for a store without a cheaper way.</summary>
    public static async Task<IdSnapshot> FromAllIdsAsync(IProfileStore store, ProfileQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        var all = await store.QueryIdsAsync(query with { Offset = 0, Limit = null }, cancellationToken).ConfigureAwait(false);
        return new IdSnapshot([.. all.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)], all.Count, Task.FromResult(all));
    }
}
