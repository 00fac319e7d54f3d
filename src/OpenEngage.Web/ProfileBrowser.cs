using OpenEngage.Profiles;
using OpenEngage.Querying;
using OpenEngage.Storage;

namespace OpenEngage.Web;

/// <summary>
/// Reads profiles for the pages through the same store queries as the query API: one page and the
/// total (<see cref="IProfileReader.QueryAsync"/>), every match streamed, or every matching id.
/// A list with a time (<see cref="ListState.AsOf"/>) reads the profiles as they were then
/// (<see cref="AsOfQueryService"/>).
/// </summary>
public sealed class ProfileBrowser(IProfileReader store, AsOfQueryService asOfQueries, TimeProvider time)
{
    /// <summary>Why the list cannot show the profiles as of its time (beyond the history kept, or history off); null when it can.</summary>
    public string? AsOfProblem(ListState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.AsOf is not { } asOf)
        {
            return null;
        }

        var now = time.GetUtcNow();
        return asOfQueries.OldestReachable(now) switch
        {
            null => "a past time needs the property history, which is off on this server",
            { } oldest when asOf < oldest => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the history reaches back to {oldest.UtcDateTime:yyyy-MM-dd HH:mm} UTC only"),
            _ when asOf > now => "the time is in the future",
            _ => null,
        };
    }

    /// <summary>One page of the list and the number of matches.</summary>
    public async Task<ProfilePage> PageAsync(string project, ListState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var query = Query(project, state);
        if (state.AsOf is { } asOf)
        {
            var all = await asOfQueries.PageAsync(query, asOf, 0, int.MaxValue, cancellationToken).ConfigureAwait(false);
            var found = all.Profiles.Where(profile => ProfileSearch.Matches(profile, state.Search)).ToList();
            return new ProfilePage([.. found.Skip(state.Page * state.PageSize).Take(state.PageSize)], found.Count);
        }

        if (state.Search.Length == 0)
        {
            return await store.QueryAsync(query with { Offset = state.Page * state.PageSize, Limit = state.PageSize }, cancellationToken).ConfigureAwait(false);
        }

        var window = new List<StoredProfile>(state.PageSize);
        long total = 0;
        var offset = (long)state.Page * state.PageSize;
        await foreach (var profile in store.StreamAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (!ProfileSearch.Matches(profile, state.Search))
            {
                continue;
            }

            if (total >= offset && window.Count < state.PageSize)
            {
                window.Add(profile);
            }

            total++;
        }

        return new ProfilePage(window, total);
    }

    /// <summary>The number of matches.</summary>
    public async Task<long> CountAsync(string project, ListState state, CancellationToken cancellationToken) =>
        (await PageAsync(project, state with { Page = 0, PageSize = 1 }, cancellationToken).ConfigureAwait(false)).Total;

    /// <summary>Every match, in the list's order.</summary>
    public async IAsyncEnumerable<StoredProfile> StreamAsync(string project, ListState state, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.AsOf is not null)
        {
            foreach (var profile in (await PageAsync(project, state with { Page = 0, PageSize = int.MaxValue }, cancellationToken).ConfigureAwait(false)).Profiles)
            {
                yield return profile;
            }

            yield break;
        }

        await foreach (var profile in store.StreamAsync(Query(project, state), cancellationToken).ConfigureAwait(false))
        {
            if (ProfileSearch.Matches(profile, state.Search))
            {
                yield return profile;
            }
        }
    }

    /// <summary>The ids of every match now (never as of a past time: bulk changes act on the stored profiles), in distinct id order, from one state of the store.</summary>
    public async Task<IReadOnlyList<string>> IdsAsync(string project, ListState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var query = Query(project, state with { SortProperty = null, Descending = false, AsOf = null });
        if (state.Search.Length == 0)
        {
            return await store.QueryIdsAsync(query, cancellationToken).ConfigureAwait(false);
        }

        var ids = new List<string>();
        await foreach (var profile in store.StreamAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (ProfileSearch.Matches(profile, state.Search))
            {
                ids.Add(profile.Key.Id);
            }
        }

        return ids;
    }

    public Task<StoredProfile?> GetAsync(string project, string groupKey, string id, CancellationToken cancellationToken) =>
        store.GetAsync(new ProfileKey(project, groupKey, id), cancellationToken);

    private ProfileQuery Query(string project, ListState state) => new(project, state.GroupKey)
    {
        Where = state.Filter,
        SortKey = state.SortProperty,
        Descending = state.Descending,
        Now = time.GetUtcNow(),
    };
}
