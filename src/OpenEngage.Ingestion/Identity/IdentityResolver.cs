using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenEngage.Profiles;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Ingestion.Identity;

/// <summary>
/// Resolves user ids to their cluster's canonical id (contract §8) through a small in-memory cache
/// over <see cref="IIdentityStore"/>: an id read from the map (in a cluster or not) is trusted for
/// <see cref="IdentityOptions.CacheSeconds"/>; every change this node makes forgets the ids it moved.
/// A project whose map holds no id at all (most projects that never call <c>identify</c> or
/// <c>alias</c>) is known as such for the same time, so its updates read nothing from the map.
/// </summary>
public sealed class IdentityResolver(IIdentityStore store, IOptions<IdentityOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Project, string Id), Entry> _cache = new();
    private readonly IdentityOptions _options = options.Value;

    /// <summary>Per project, until when its map is known to be empty (a timestamp of <see cref="TimeProvider"/>).</summary>
    private readonly ConcurrentDictionary<string, long> _emptyUntil = new(StringComparer.Ordinal);

    /// <summary>Counts this node's changes to any map (<see cref="Forget"/>): an "empty" answer read across one is not kept.</summary>
    private long _changes;

    public IIdentityStore Store => store;

    /// <summary>The canonical id of each of <paramref name="ids"/> (an id in no cluster maps to itself).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ResolveAsync(string project, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ids);
        var now = time.GetTimestamp();
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (resolved.ContainsKey(id))
            {
                continue;
            }

            if (_cache.TryGetValue((project, id), out var entry) && entry.Until > now)
            {
                resolved[id] = entry.Canonical;
            }
            else
            {
                resolved[id] = id;
                missing.Add(id);
            }
        }

        if (missing.Count == 0 || (_emptyUntil.TryGetValue(project, out var emptyUntil) && emptyUntil > now))
        {
            return resolved;
        }

        var until = now + (long)(_options.CacheSeconds * (double)time.TimestampFrequency);
        var changes = Interlocked.Read(ref _changes);
        if (_options.CacheSeconds > 0 && !await store.HasLinksAsync(project, cancellationToken).ConfigureAwait(false))
        {
            if (Interlocked.Read(ref _changes) == changes)
            {
                _emptyUntil[project] = until;
            }

            return resolved;
        }

        var found = await store.FindCanonicalIdsAsync(project, missing, cancellationToken).ConfigureAwait(false);
        if (_cache.Count + missing.Count > _options.CacheSize)
        {
            _cache.Clear();
        }

        foreach (var id in missing)
        {
            var canonical = found.GetValueOrDefault(id) ?? id;
            resolved[id] = canonical;
            if (_options.CacheSeconds > 0 && _options.CacheSize > 0)
            {
                _cache[(project, id)] = new Entry(canonical, until);
            }
        }

        return resolved;
    }

    /// <summary>Forgets <paramref name="ids"/> of <paramref name="project"/>, and that its map was empty: the next lookup reads the map.</summary>
    public void Forget(string project, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Interlocked.Increment(ref _changes);
        _emptyUntil.TryRemove(project, out _);
        foreach (var id in ids)
        {
            _cache.TryRemove((project, id), out _);
        }
    }

    private readonly record struct Entry(string Canonical, long Until);
}
