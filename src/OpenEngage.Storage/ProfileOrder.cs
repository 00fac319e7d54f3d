using OpenEngage.Query;

namespace OpenEngage.Storage;

/// <summary>
/// Stored profiles in a query's order: the reference order of <see cref="SortOrder"/> over the
/// values of the sort key, ties and no sort key by distinct id ascending.
/// </summary>
public static class ProfileOrder
{
    /// <summary>A comparer of profiles for a query's sort key and order.</summary>
    public static IComparer<StoredProfile> Comparer(string? sortKey, bool descending) => Comparer<StoredProfile>.Create((a, b) =>
        sortKey is null
            ? SortOrder.CompareIds(a.Key.Id, b.Key.Id)
            : SortOrder.Compare(ValueOf(a, sortKey), a.Key.Id, ValueOf(b, sortKey), b.Key.Id, descending));

    /// <summary>The profile's sort value of <paramref name="sortKey"/> (missing when it has no such property).</summary>
    public static SortValue ValueOf(StoredProfile profile, string sortKey)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return SortValue.Of(profile.Properties.TryGetPropertyValue(sortKey, out var value) ? value : null);
    }
}
