using System.Text.Json.Nodes;
using OpenEngage.Storage;

namespace OpenEngage.Web;

/// <summary>
/// What a project's profiles hold: every property name with its types and the number of profiles
/// that have it, and for one property its most frequent values. Computed by one streamed read of
/// the profiles (see docs/ui.md for its cost).
/// </summary>
public sealed class PropertyOverview(IProfileReader store, TimeProvider time)
{
    /// <summary>Every property of the profiles of <paramref name="groupKey"/>, by name, and the number of profiles read.</summary>
    public async Task<(IReadOnlyList<PropertySummary> Properties, long Profiles)> SummarizeAsync(string project, string groupKey, CancellationToken cancellationToken)
    {
        var byName = new Dictionary<string, (long Count, SortedSet<string> Types)>(StringComparer.Ordinal);
        long profiles = 0;
        await foreach (var profile in store.StreamAsync(new ProfileQuery(project, groupKey) { Now = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false))
        {
            profiles++;
            foreach (var (name, value) in profile.Properties)
            {
                if (!byName.TryGetValue(name, out var entry))
                {
                    entry = (0, new SortedSet<string>(StringComparer.Ordinal));
                }

                entry.Types.Add(PropertyValueText.TypeOf(value));
                byName[name] = (entry.Count + 1, entry.Types);
            }
        }

        var properties = byName
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => new PropertySummary(entry.Key, [.. entry.Value.Types], entry.Value.Count))
            .ToList();
        return (properties, profiles);
    }

    /// <summary>
    /// The <paramref name="top"/> most frequent values of <paramref name="name"/> (each element of a
    /// list counts once per profile), how many profiles have the property, and how many distinct values it takes.
    /// </summary>
    public async Task<PropertyValues> ValuesAsync(string project, string groupKey, string name, int top, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, (JsonNode? Value, long Count)>(StringComparer.Ordinal);
        long having = 0;
        await foreach (var profile in store.StreamAsync(new ProfileQuery(project, groupKey) { Now = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false))
        {
            if (!profile.Properties.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            having++;
            IEnumerable<JsonNode?> values = value is JsonArray list ? list.Select(item => item).DistinctBy(PropertyValueText.CompactJson) : [value];
            foreach (var item in values)
            {
                var key = PropertyValueText.CompactJson(item);
                counts[key] = counts.TryGetValue(key, out var entry) ? (entry.Value, entry.Count + 1) : (item?.DeepClone(), 1);
            }
        }

        var most = counts.Values
            .OrderByDescending(entry => entry.Count)
            .ThenBy(entry => PropertyValueText.CompactJson(entry.Value), StringComparer.Ordinal)
            .Take(top)
            .Select(entry => new PropertyValueCount(entry.Value, entry.Count))
            .ToList();
        return new PropertyValues(name, having, counts.Count, most);
    }
}
