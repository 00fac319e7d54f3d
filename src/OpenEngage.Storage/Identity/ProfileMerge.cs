using System.Text.Json.Nodes;

namespace OpenEngage.Storage.Identity;

/// <summary>
/// How two profiles become one when their ids join a cluster (contract §8): the canonical profile
/// keeps its values, gains the properties only the other had, and lists present in both are unioned.
/// </summary>
public static class ProfileMerge
{
    /// <summary>A new object: <paramref name="canonical"/> with what <paramref name="other"/> adds.</summary>
    public static JsonObject Merge(JsonObject? canonical, JsonObject other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = canonical is null ? new JsonObject() : (JsonObject)canonical.DeepClone();
        foreach (var (name, value) in other)
        {
            if (!merged.TryGetPropertyValue(name, out var kept))
            {
                merged[name] = value?.DeepClone();
            }
            else if (kept is JsonArray list && value is JsonArray more)
            {
                foreach (var item in more)
                {
                    if (!list.Any(existing => JsonNode.DeepEquals(existing, item)))
                    {
                        list.Add(item?.DeepClone());
                    }
                }
            }
        }

        return merged;
    }
}
