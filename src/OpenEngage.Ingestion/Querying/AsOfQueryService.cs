using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>
/// Answers a query over the profiles as they were at a past time (the Query API's
/// <c>as_of_timestamp</c>): a profile no logged record changed since then is read as stored; one
/// that was changed is rebuilt by undoing its newer records, newest first
/// (<see cref="ProfileDiff.Undo"/>), so a profile created since is absent and one deleted since is
/// back. The filter and the order then apply to those states, in memory; there is no paging
/// session, each page is computed again.
/// </summary>
public sealed class AsOfQueryService(IProfileReader reader, IProfileHistory history)
{
    /// <summary>The oldest time an as-of query can reach now, or null when history is off.</summary>
    public DateTimeOffset? OldestReachable(DateTimeOffset now) =>
        history.History.Enabled ? now.AddDays(-history.History.RetentionDays) : null;

    /// <summary>One page of <paramref name="query"/> (its filter, ids and order) over the profiles as of <paramref name="asOf"/>.</summary>
    public async Task<QueryPageResult> PageAsync(ProfileQuery query, DateTimeOffset asOf, int page, int? pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        var size = pageSize ?? ProfileQueryService.MaxPageSize;
        var afterMs = asOf.ToUnixTimeMilliseconds();
        var changed = new HashSet<string>(await history.ReadChangedIdsAsync(query.Project, query.GroupKey, afterMs, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var wanted = query.DistinctIds is null ? null : new HashSet<string>(query.DistinctIds, StringComparer.Ordinal);

        var matches = new List<StoredProfile>();
        var stored = new ProfileQuery(query.Project, query.GroupKey) { DistinctIds = query.DistinctIds, Now = query.Now };
        await foreach (var profile in reader.StreamAsync(stored, cancellationToken).ConfigureAwait(false))
        {
            if (!changed.Contains(profile.Key.Id) && Matches(query, profile.Properties))
            {
                matches.Add(profile);
            }
        }

        foreach (var id in changed)
        {
            if (wanted is not null && !wanted.Contains(id))
            {
                continue;
            }

            var key = new ProfileKey(query.Project, query.GroupKey, id);
            var state = (await reader.GetAsync(key, cancellationToken).ConfigureAwait(false))?.Properties;
            await foreach (var record in history.ReadHistoryAsync(new HistoryQuery(key) { FromMs = afterMs + 1 }, cancellationToken).ConfigureAwait(false))
            {
                state = record.Diff.Undo(state);
            }

            if (state is not null && Matches(query, state))
            {
                matches.Add(new StoredProfile(key, state));
            }
        }

        matches.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
        return new QueryPageResult(size, matches.Count, [.. matches.Skip(page * size).Take(size)]);
    }

    private static bool Matches(ProfileQuery query, System.Text.Json.Nodes.JsonObject properties) =>
        query.Where is null || query.Where.Matches(properties, query.Now);
}
