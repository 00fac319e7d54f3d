using System.Text.Json.Nodes;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>
/// Answers a query over the profiles as they were at a past time (the Query API's
/// <c>as_of_timestamp</c>): a profile no logged record changed since then is read as stored; one
/// that was changed is rebuilt by undoing its newer records, newest first
/// (<see cref="ProfileDiff.Undo"/>), so a profile created since is absent and one deleted since is
/// back. The store filters the unchanged profiles; the rebuilt ones are filtered in memory, and
/// the order applies to all of them in memory; there is no paging session, each page is computed
/// again.
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

        // Every record logged since, per profile and newest first, in one ordered read.
        var undo = new Dictionary<string, List<ProfileDiff>>(StringComparer.Ordinal);
        await foreach (var (id, diff) in history.ReadChangesAfterAsync(query.Project, query.GroupKey, afterMs, cancellationToken).ConfigureAwait(false))
        {
            if (!undo.TryGetValue(id, out var diffs))
            {
                undo[id] = diffs = [];
            }

            diffs.Add(diff);
        }

        // The profiles no record changed since are as stored: the store filters them.
        var matches = new List<StoredProfile>();
        var stored = new ProfileQuery(query.Project, query.GroupKey) { DistinctIds = query.DistinctIds, Where = query.Where, Now = query.Now };
        await foreach (var profile in reader.StreamAsync(stored, cancellationToken).ConfigureAwait(false))
        {
            if (!undo.ContainsKey(profile.Key.Id))
            {
                matches.Add(profile);
            }
        }

        // The others are rebuilt from their stored state (none when deleted since), then filtered.
        var wanted = query.DistinctIds is null ? null : new HashSet<string>(query.DistinctIds, StringComparer.Ordinal);
        var changed = undo.Keys.Where(id => wanted is null || wanted.Contains(id)).ToList();
        if (changed.Count > 0)
        {
            var current = new ProfileQuery(query.Project, query.GroupKey) { DistinctIds = changed, Now = query.Now };
            await foreach (var profile in reader.StreamAsync(current, cancellationToken).ConfigureAwait(false))
            {
                if (undo.Remove(profile.Key.Id, out var diffs))
                {
                    AddAsOf(query, matches, profile.Key, profile.Properties, diffs);
                }
            }

            foreach (var id in changed)
            {
                if (undo.Remove(id, out var diffs))
                {
                    AddAsOf(query, matches, new ProfileKey(query.Project, query.GroupKey, id), null, diffs);
                }
            }
        }

        matches.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
        return new QueryPageResult(size, matches.Count, [.. matches.Skip(page * size).Take(size)]);
    }

    /// <summary>Undoes a profile's records since the time, newest first, and keeps the state it was in when it matches.</summary>
    private static void AddAsOf(ProfileQuery query, List<StoredProfile> matches, ProfileKey key, JsonObject? state, List<ProfileDiff> diffs)
    {
        foreach (var diff in diffs)
        {
            state = diff.Undo(state);
        }

        if (state is not null && Matches(query, state))
        {
            matches.Add(new StoredProfile(key, state));
        }
    }

    private static bool Matches(ProfileQuery query, JsonObject properties) =>
        query.Where is null || query.Where.Matches(properties, query.Now);
}
