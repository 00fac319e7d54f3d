using System.Collections.Concurrent;
using System.Text.Json;
using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>
/// The read side of the server, the mirror of the ingestion pipeline: answers a page of a query
/// through its paging session. Every page of a session is cut from the ordered ids its first page
/// saw, so no profile appears twice or is skipped while writes go on. The first page is answered
/// from the store's count and its own window; the ordered ids of every match, from the same state,
/// are read in the background for the later pages, which keep the first page's size unless they
/// ask for another.
/// </summary>
public sealed class ProfileQueryService(IProfileReader reader, QuerySessions sessions) : IAsyncDisposable
{
    /// <summary>The largest page, and the page size of a new session that does not ask for one.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The sessions' ids still being read; disposing waits for them, so no read outlives the store.</summary>
    private readonly ConcurrentDictionary<Task, byte> _finishing = new();

    /// <summary>
    /// One page of <paramref name="query"/> (its filter, ids and order; its window is set here) for
    /// <paramref name="paging"/>: the profiles in the session's order.
    /// </summary>
    public async Task<QueryPageResult> PageAsync(ProfileQuery query, QueryPaging paging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(paging);
        var fingerprint = Fingerprint(query);
        var session = sessions.Find(query.Project, paging.SessionId, fingerprint);
        var pageSize = paging.PageSize ?? session?.PageSize ?? MaxPageSize;
        IReadOnlyList<string> slice;
        long total;
        if (session is not { } found)
        {
            var snapshot = await reader.SnapshotIdsAsync(query with { Offset = paging.Page * pageSize, Limit = pageSize }, cancellationToken).ConfigureAwait(false);
            sessions.Remember(query.Project, paging.SessionId, fingerprint, pageSize, Finish(snapshot), snapshot.Total);
            slice = snapshot.Window;
            total = snapshot.Total;
        }
        else
        {
            var ids = await found.Ids.WaitAsync(cancellationToken).ConfigureAwait(false);
            slice = [.. ids.Skip(paging.Page * pageSize).Take(pageSize)];
            total = ids.Count;
        }

        var profiles = new List<StoredProfile>(slice.Count);
        if (slice.Count > 0)
        {
            var result = await reader.QueryAsync(new ProfileQuery(query.Project, query.GroupKey) { DistinctIds = slice, Now = query.Now }, cancellationToken).ConfigureAwait(false);
            var byId = result.Profiles.ToDictionary(profile => profile.Key.Id, StringComparer.Ordinal);
            profiles.AddRange(slice.Where(byId.ContainsKey).Select(id => byId[id]));
        }

        return new QueryPageResult(pageSize, total, profiles);
    }

    /// <summary>Waits for the sessions' ids still being read (their failures belong to their sessions).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var task in _finishing.Keys)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Reads every id of the snapshot in the background, releasing its state when done.</summary>
    private Task<IReadOnlyList<string>> Finish(IdSnapshot snapshot)
    {
        var all = Task.Run(() => snapshot.ReadAllAsync(CancellationToken.None), CancellationToken.None);
        _finishing.TryAdd(all, 0);
        _ = all.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _finishing, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return all;
    }

    /// <summary>What makes two requests the same query: a session is reused only for the same one.</summary>
    private static string Fingerprint(ProfileQuery query) => JsonSerializer.Serialize(new object?[]
    {
        query.Project, query.GroupKey, query.Where?.ToString(), query.DistinctIds, query.SortKey, query.Descending,
    });
}
