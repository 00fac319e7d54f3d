using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The profiles of one group commit while its updates are applied in queue order: each profile's
/// current state, whether it exists in the database, and whether the group changed it. Several
/// updates to one profile see each other, and the profile is written once.
/// </summary>
/// <remarks>
/// Not thread-safe: owned by the writer that prepares a group, and cleared once the group's writes
/// are built. A profile the group has not touched yet is read through the loader given to the
/// constructor, unless the store added it first (<see cref="Add"/>).
/// </remarks>
public sealed class WorkingSet
{
    private readonly Dictionary<ProfileKey, Entry> _entries = [];
    private readonly ProfileEngine _engine;
    private readonly Func<ProfileKey, JsonObject?> _load;
    private List<ProfileChange>? _changes;

    /// <param name="engine">Applies the updates.</param>
    /// <param name="load">The stored state of a profile the working set does not hold yet; null when it does not exist.</param>
    public WorkingSet(ProfileEngine engine, Func<ProfileKey, JsonObject?> load)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(load);
        _engine = engine;
        _load = load;
    }

    /// <summary>The number of profiles the group touched (or the store added).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// When true, <see cref="Apply"/> records every update that changed a profile in
    /// <see cref="Changes"/>, in apply order.
    /// </summary>
    public bool RecordChanges
    {
        get => _changes is not null;
        set => _changes = value ? _changes ?? [] : null;
    }

    /// <summary>The changes recorded since the last <see cref="Clear"/> (see <see cref="RecordChanges"/>).</summary>
    public IReadOnlyList<ProfileChange> Changes => (IReadOnlyList<ProfileChange>?)_changes ?? [];

    /// <summary>Adds a profile in its stored state (null: it does not exist), replacing what the set held for it.</summary>
    public void Add(ProfileKey key, JsonObject? stored) => _entries[key] = new Entry { Current = stored, Stored = stored is not null };

    /// <summary>Applies one update on top of the profile's current state, and keeps the new state.</summary>
    public ApplyResult Apply(ProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var key = update.Key;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out var known);
        if (!known)
        {
            entry.Current = _load(key);
            entry.Stored = entry.Current is not null;
        }

        var before = entry.Current;
        var result = _engine.Apply(before, update);
        switch (result.Status)
        {
            case ApplyStatus.Upserted:
                entry.Current = result.Profile;
                entry.Dirty = true;
                _changes?.Add(new ProfileChange(update, before, result.Profile));
                break;
            case ApplyStatus.Deleted:
                entry.Current = null;
                entry.Dirty = true;
                _changes?.Add(new ProfileChange(update, before, null));
                break;
        }

        return result;
    }

    /// <summary>Forgets every profile and recorded change, for the next group.</summary>
    public void Clear()
    {
        _entries.Clear();
        _changes?.Clear();
    }

    public Enumerator GetEnumerator() => new(_entries.GetEnumerator());

    /// <summary>Enumerates the profiles of the set without allocating.</summary>
    public struct Enumerator
    {
        private Dictionary<ProfileKey, Entry>.Enumerator _inner;

        internal Enumerator(Dictionary<ProfileKey, Entry>.Enumerator inner) => _inner = inner;

        public readonly WorkingProfile Current
        {
            get
            {
                var (key, entry) = _inner.Current;
                return new WorkingProfile(key, entry.Current, entry.Stored, entry.Dirty);
            }
        }

        public bool MoveNext() => _inner.MoveNext();
    }

    /// <summary>A profile's state within the group.</summary>
    internal struct Entry
    {
        /// <summary>The current properties; null when the profile does not exist.</summary>
        public JsonObject? Current;

        /// <summary>True when the profile exists in the database.</summary>
        public bool Stored;

        /// <summary>True when <see cref="Current"/> differs from the database.</summary>
        public bool Dirty;
    }
}
