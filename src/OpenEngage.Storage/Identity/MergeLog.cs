using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Identity;

/// <summary>
/// Merges the profiles of a link (<see cref="ProfileMerge"/>) and describes each step as the change
/// log and the record log keep applied updates: the canonical profile gains a record of
/// <c>$set_once</c> (what only the other profile had) and <c>$union</c> (lists both had), which,
/// applied again when a late record re-folds the profile, has the merge's effect; the other profile
/// gains a <c>$delete</c>. Both stores write these rows in the merge's own transaction.
/// </summary>
public sealed class MergeLog
{
    private readonly string _project;
    private readonly string _canonical;
    private readonly DateTimeOffset _time;
    private readonly List<MergeLogEntry> _entries = [];

    /// <param name="project">The project of the cluster.</param>
    /// <param name="canonical">The canonical id of the cluster.</param>
    /// <param name="canonicalProfile">The canonical profile as stored before the merge (null: none).</param>
    /// <param name="time">When the merge happens.</param>
    public MergeLog(string project, string canonical, JsonObject? canonicalProfile, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(canonical);
        _project = project;
        _canonical = canonical;
        _time = time;
        Profile = canonicalProfile;
    }

    /// <summary>The canonical profile with every merge so far.</summary>
    public JsonObject? Profile { get; private set; }

    /// <summary>The rows to write, in order.</summary>
    public IReadOnlyList<MergeLogEntry> Entries => _entries;

    /// <summary>Merges <paramref name="other"/> (the stored profile of <paramref name="otherId"/>) into the canonical profile.</summary>
    public void Merge(string otherId, JsonObject other)
    {
        ArgumentNullException.ThrowIfNull(otherId);
        ArgumentNullException.ThrowIfNull(other);
        var before = Profile;
        var after = ProfileMerge.Merge(before, other);
        var gain = Update(_canonical, new ProfileOperations
        {
            SetOnce = Pairs(other, name => before is null || !before.ContainsKey(name)),
            Union = UnionPairs(before, other),
        });
        Add(gain, ProfileDiff.Between(before, after));
        Add(Update(otherId, new ProfileOperations { Delete = true }), ProfileDiff.Between(other, null));
        Profile = after;
    }

    private void Add(ProfileUpdate update, ProfileDiff diff)
    {
        if (diff.Kind == ProfileDiffKind.None)
        {
            return;
        }

        _entries.Add(new MergeLogEntry(
            update.Key,
            _time.ToUnixTimeMilliseconds(),
            ProfileChangeText.From(new ProfileChange(update, diff)),
            diff.KindName,
            diff.ToJson(),
            ProfileUpdateJson.Serialize(update)));
    }

    private ProfileUpdate Update(string id, ProfileOperations operations) => new()
    {
        Key = ProfileKey.User(_project, id),
        Operations = operations,
        Time = _time,
        ReceivedAt = _time,
        IgnoreTime = true,
        Source = IdentityChangeSources.Merge,
    };

    private static List<KeyValuePair<string, JsonNode?>>? Pairs(JsonObject other, Func<string, bool> wanted)
    {
        var pairs = other.Where(property => wanted(property.Key)).Select(property => KeyValuePair.Create(property.Key, property.Value?.DeepClone())).ToList();
        return pairs.Count == 0 ? null : pairs;
    }

    private static List<KeyValuePair<string, JsonArray>>? UnionPairs(JsonObject? before, JsonObject other)
    {
        if (before is null)
        {
            return null;
        }

        var pairs = new List<KeyValuePair<string, JsonArray>>();
        foreach (var (name, value) in other)
        {
            if (value is JsonArray list && before.TryGetPropertyValue(name, out var kept) && kept is JsonArray)
            {
                pairs.Add(KeyValuePair.Create(name, (JsonArray)list.DeepClone()));
            }
        }

        return pairs.Count == 0 ? null : pairs;
    }
}
