using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The test oracle: runs a <see cref="ProfileQuery"/> over a store by listing its profiles and
/// evaluating the filter in memory, sorted by the reference order (<see cref="ProfileOrder"/>).
/// Every store-side translation must agree with it.
/// </summary>
public static class InMemoryQuery
{
    private const int ReadPage = 1000;

    /// <summary>Whether a profile passes the query's filter and id list.</summary>
    public static bool Matches(ProfileQuery query, StoredProfile profile, IReadOnlySet<string>? ids)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(profile);
        return (ids is null || ids.Contains(profile.Key.Id))
            && (query.Where is null || query.Where.Matches(profile.Properties, query.Now));
    }

    public static async Task<IReadOnlyList<string>> QueryIdsAsync(IProfileReader store, ProfileQuery query, CancellationToken cancellationToken)
    {
        var all = await MatchesAsync(store, query, cancellationToken).ConfigureAwait(false);
        return [.. Window(all, query).Select(profile => profile.Key.Id)];
    }

    /// <summary>Applies the query's offset and limit to a full ordered list.</summary>
    public static IReadOnlyList<StoredProfile> Window(IReadOnlyList<StoredProfile> ordered, ProfileQuery query)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(query);
        return [.. ordered.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];
    }

    private static async Task<List<StoredProfile>> MatchesAsync(IProfileReader store, ProfileQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        var ids = query.DistinctIds is null ? null : new HashSet<string>(query.DistinctIds, StringComparer.Ordinal);
        var matches = new List<StoredProfile>();
        if (ids is not null && ids.Count <= ReadPage)
        {
            foreach (var id in ids)
            {
                if (await store.GetAsync(new ProfileKey(query.Project, query.GroupKey, id), cancellationToken).ConfigureAwait(false) is { } profile
                    && Matches(query, profile, null))
                {
                    matches.Add(profile);
                }
            }
        }
        else
        {
            for (var offset = 0; ; offset += ReadPage)
            {
                var page = await store.ListAsync(new ProfileListRequest(query.Project, query.GroupKey, offset, ReadPage), cancellationToken).ConfigureAwait(false);
                matches.AddRange(page.Profiles.Where(profile => Matches(query, profile, ids)));
                if (page.Profiles.Count < ReadPage)
                {
                    break;
                }
            }
        }

        matches.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
        return matches;
    }
}
