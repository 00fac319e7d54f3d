using System.Text.Json.Nodes;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The committed state of recently written profiles, least recently used evicted first, so the
/// writer does not re-read and re-parse a hot profile in every commit.
/// </summary>
/// <remarks>
/// Used by the thread that prepares groups only. It holds committed state only: that thread adds to
/// it after a commit succeeded and clears it when a commit fails or another connection changed the
/// database. The state of a group being committed is kept apart from it, never in it.
/// A cached object is shared: the profile engine never mutates its input, and nothing else may.
/// A null profile records that the profile does not exist.
/// </remarks>
internal sealed class ProfileCache
{
    private readonly Dictionary<ProfileKey, LinkedListNode<Entry>> _entries = [];

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<Entry> _order = new();

    public ProfileCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most profiles kept; 0 disables the cache.</summary>
    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>Looks a profile up and marks it as recently used.</summary>
    /// <param name="profile">The committed properties, or null when the profile does not exist.</param>
    public bool TryGet(ProfileKey key, out JsonObject? profile)
    {
        var found = TryGetState(key, out var state);
        profile = state.Properties;
        return found;
    }

    /// <summary>Looks a profile up, with the time of its newest logged record, and marks it as recently used.</summary>
    public bool TryGetState(ProfileKey key, out ProfileState state)
    {
        if (!_entries.TryGetValue(key, out var node))
        {
            if (Capacity > 0)
            {
                StorageMetrics.CacheLookup(hit: false);
            }

            state = ProfileState.Missing;
            return false;
        }

        StorageMetrics.CacheLookup(hit: true);
        MoveToFront(node);
        state = new ProfileState(node.Value.Profile, node.Value.Latest);
        return true;
    }

    /// <summary>Records a profile's committed state (null: it does not exist), evicting the least recently used beyond <see cref="Capacity"/>.</summary>
    /// <param name="latest">The time (Unix ms) of the profile's newest logged record; <see cref="long.MinValue"/> when none is kept.</param>
    public void Set(ProfileKey key, JsonObject? profile, long latest = long.MinValue)
    {
        if (Capacity == 0)
        {
            return;
        }

        if (_entries.TryGetValue(key, out var node))
        {
            node.Value = new Entry(key, profile, latest);
            MoveToFront(node);
            return;
        }

        if (_entries.Count >= Capacity)
        {
            // Reuse the evicted node: a full cache allocates nothing per insertion.
            node = _order.Last!;
            _order.RemoveLast();
            _entries.Remove(node.Value.Key);
            node.Value = new Entry(key, profile, latest);
            _order.AddFirst(node);
        }
        else
        {
            node = _order.AddFirst(new Entry(key, profile, latest));
        }

        _entries.Add(key, node);
    }

    public void Clear()
    {
        _entries.Clear();
        _order.Clear();
    }

    private void MoveToFront(LinkedListNode<Entry> node)
    {
        if (node != _order.First)
        {
            _order.Remove(node);
            _order.AddFirst(node);
        }
    }

    private readonly record struct Entry(ProfileKey Key, JsonObject? Profile, long Latest);
}
