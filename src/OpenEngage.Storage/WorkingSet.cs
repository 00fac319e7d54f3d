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
/// <para>
/// Not thread-safe: owned by the writer that prepares a group, and cleared once the group's writes
/// are built. Updates change the group's own copy of a profile in place
/// (<see cref="ProfileEngine.ApplyInPlace"/>): a state the loader marks as shared (not
/// <see cref="ProfileState.Owned"/>) is copied once, before the group's first change to it. A
/// profile the group has not touched yet is read through the loader given to the constructor,
/// unless the store added it first (<see cref="Add"/>).
/// </para>
/// <para>
/// With <see cref="RecordChanges"/> on, every accepted update also goes into the profile's record
/// log (<see cref="WorkingProfile.Log"/>), and every change into <see cref="Changes"/> (the change
/// log). When a store also gives a loader of logged records, an update older than the newest
/// record of its profile (a late record, contract §10) is placed where its time puts it
/// (<see cref="ProfileTimeline.Refold"/>); the change log gets one row with its net effect.
/// </para>
/// </remarks>
public sealed class WorkingSet
{
    private readonly Dictionary<ProfileKey, Entry> _entries = [];
    private readonly ProfileEngine _engine;
    private readonly Func<ProfileKey, ProfileState> _load;
    private readonly Func<ProfileKey, long, long?, IReadOnlyList<LoggedRecord>>? _loadNewer;
    private List<ProfileChange>? _changes;

    /// <param name="engine">Applies the updates.</param>
    /// <param name="load">The stored state of a profile the working set does not hold yet; null when it does not exist.</param>
    public WorkingSet(ProfileEngine engine, Func<ProfileKey, JsonObject?> load)
        : this(engine, WithoutLog(load), null)
    {
    }

    /// <param name="engine">Applies the updates.</param>
    /// <param name="load">The stored state of a profile the working set does not hold yet.</param>
    /// <param name="loadNewer">
    /// The stored log records of a profile with a time after the second argument and, when the
    /// third is set, not after it, in the order they were applied; null when the store keeps no log
    /// (updates are then applied in arrival order).
    /// </param>
    public WorkingSet(ProfileEngine engine, Func<ProfileKey, ProfileState> load, Func<ProfileKey, long, long?, IReadOnlyList<LoggedRecord>>? loadNewer)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(load);
        _engine = engine;
        _load = load;
        _loadNewer = loadNewer;
    }

    /// <summary>The number of profiles the group touched (or the store added).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// When true, <see cref="Apply"/> records every update that changed a profile in
    /// <see cref="Changes"/>, in apply order, and every accepted update in its profile's log.
    /// </summary>
    public bool RecordChanges
    {
        get => _changes is not null;
        set => _changes = value ? _changes ?? [] : null;
    }

    /// <summary>The changes recorded since the last <see cref="Clear"/> (see <see cref="RecordChanges"/>).</summary>
    public IReadOnlyList<ProfileChange> Changes => (IReadOnlyList<ProfileChange>?)_changes ?? [];

    /// <summary>
    /// Adds a profile in its stored state (null: it does not exist), replacing what the set held for
    /// it. The set takes the object over: it changes it in place.
    /// </summary>
    public void Add(ProfileKey key, JsonObject? stored) => Add(key, new ProfileState(stored, long.MinValue) { Owned = true });

    /// <summary>Adds a profile in its stored state, replacing what the set held for it.</summary>
    public void Add(ProfileKey key, ProfileState stored) =>
        _entries[key] = new Entry { Current = stored.Properties, Stored = stored.Properties is not null, Latest = stored.Latest, Owned = stored.Owned };

    /// <summary>Sets the time of the newest logged record of a profile the set holds.</summary>
    public void SetLatest(ProfileKey key, long latest)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
        {
            entry.Latest = latest;
        }
    }

    /// <summary>Applies one update on top of the profile's current state (or where its time puts it), and keeps the new state.</summary>
    public ApplyResult Apply(ProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var key = update.Key;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out var known);
        if (!known)
        {
            var loaded = _load(key);
            entry.Current = loaded.Properties;
            entry.Stored = loaded.Properties is not null;
            entry.Latest = loaded.Latest;
            entry.Owned = loaded.Owned;
        }

        var time = update.Time.ToUnixTimeMilliseconds();
        if (_changes is not null && time < entry.Latest && !update.ArrivalOrder)
        {
            if (!update.TimeFromRecord)
            {
                // No $time: the record took its arrival time, and a concurrent request's newer
                // record got here first. It belongs on top, so it takes the newest logged time.
                update = update with { Time = DateTimeOffset.FromUnixTimeMilliseconds(entry.Latest) };
                time = entry.Latest;
            }
            else if (_loadNewer is not null)
            {
                return ApplyLate(ref entry, key, update, time);
            }
        }

        if (!entry.Owned)
        {
            // The first change of this group to a state others hold (a cache, an earlier group):
            // the group works on its own copy from here on.
            entry.Current = (JsonObject?)entry.Current?.DeepClone();
            entry.Owned = true;
        }

        var before = entry.Current;
        var result = _engine.ApplyInPlace(before, update);
        if (!result.IsApplied)
        {
            return result;
        }

        if (result.Status != ApplyStatus.Unchanged)
        {
            entry.Current = ProfileTimeline.After(before, result);
            entry.Dirty = true;
        }

        if (_changes is not null)
        {
            var diff = result.Diff!;
            (entry.Log ??= []).Add(new LoggedRecord(update, diff));
            entry.Latest = Math.Max(entry.Latest, time);
            if (diff.Kind != ProfileDiffKind.None)
            {
                _changes.Add(new ProfileChange(update, diff));
            }
        }

        return result;
    }

    private ApplyResult ApplyLate(ref Entry entry, ProfileKey key, ProfileUpdate update, long time)
    {
        var log = entry.Log ??= [];
        if (entry.RewriteAfter is not { } rewritten || time < rewritten)
        {
            // The stored records newer than this one (and not already taken by an earlier late
            // record of the group) are older than every record the set holds: they go first.
            log.InsertRange(0, _loadNewer!(key, time, entry.RewriteAfter));
            entry.RewriteAfter = time;
        }

        var first = log.FindIndex(record => record.TimeMs > time);
        if (first < 0)
        {
            first = log.Count;
        }

        var before = entry.Current;
        var fold = ProfileTimeline.Refold(_engine, before, log.GetRange(first, log.Count - first), update);
        if (!fold.Result.IsApplied)
        {
            return fold.Result;
        }

        log.RemoveRange(first, log.Count - first);
        log.AddRange(fold.Log);
        entry.Owned |= !ReferenceEquals(fold.Profile, before);
        entry.Current = fold.Profile;
        entry.Dirty = true;
        var net = ProfileDiff.Between(before, fold.Profile);
        if (net.Kind != ProfileDiffKind.None)
        {
            _changes!.Add(new ProfileChange(update, net));
        }

        return fold.Result;
    }

    /// <summary>Forgets every profile and recorded change, for the next group.</summary>
    public void Clear()
    {
        _entries.Clear();
        _changes?.Clear();
    }

    public Enumerator GetEnumerator() => new(_entries.GetEnumerator());

    private static Func<ProfileKey, ProfileState> WithoutLog(Func<ProfileKey, JsonObject?> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return key => new ProfileState(load(key), long.MinValue);
    }

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
                return new WorkingProfile(key, entry.Current, entry.Stored, entry.Dirty)
                {
                    Latest = entry.Latest,
                    Log = (IReadOnlyList<LoggedRecord>?)entry.Log ?? [],
                    RewriteAfter = entry.RewriteAfter,
                };
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

        /// <summary>True when <see cref="Current"/> is the set's own object, which it changes in place.</summary>
        public bool Owned;

        /// <summary>The time (Unix ms) of the newest record in the profile's log.</summary>
        public long Latest;

        /// <summary>The log rows to write, in time order.</summary>
        public List<LoggedRecord>? Log;

        /// <summary>Stored log rows after this time are replaced by <see cref="Log"/>.</summary>
        public long? RewriteAfter;
    }
}
