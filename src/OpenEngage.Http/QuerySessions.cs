namespace OpenEngage.Http;

/// <summary>
/// The ordered ids of recent queries, keyed by <c>session_id</c>, so every page of one query is cut
/// from one snapshot of the order: no profile appears twice or is skipped while writes go on. A
/// snapshot may still be being computed by the store when its session is remembered.
/// </summary>
/// <remarks>
/// A session lives <see cref="Lifetime"/> after its last use. Memory is bounded by the number of
/// ids held in all: when a new snapshot would exceed <see cref="MaxIds"/>, the least recently used
/// sessions are dropped (a dropped session is recomputed on its next page, as a new snapshot).
/// </remarks>
public sealed class QuerySessions(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>The most ids kept over all sessions (about 100 MB of short ids).</summary>
    public const long MaxIds = 2_000_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _held;

    /// <summary>
    /// The snapshot of <paramref name="sessionId"/> when it was taken for the same query, is still
    /// alive and did not fail.
    /// </summary>
    public Task<IReadOnlyList<string>>? Find(string sessionId, string fingerprint)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_entries.TryGetValue(sessionId, out var entry) && entry.Fingerprint == fingerprint && now - entry.LastUsed < Lifetime
                && !entry.Ids.IsFaulted && !entry.Ids.IsCanceled)
            {
                entry.LastUsed = now;
                return entry.Ids;
            }

            return null;
        }
    }

    /// <summary>Keeps the snapshot of <paramref name="count"/> ids (still being computed, perhaps) for the session.</summary>
    public void Remember(string sessionId, string fingerprint, Task<IReadOnlyList<string>> ids, long count)
    {
        lock (_lock)
        {
            if (_entries.Remove(sessionId, out var previous))
            {
                _held -= previous.Count;
            }

            if (count > MaxIds)
            {
                return;
            }

            var now = time.GetUtcNow();
            foreach (var expired in _entries.Where(e => now - e.Value.LastUsed >= Lifetime).Select(e => e.Key).ToList())
            {
                _held -= _entries[expired].Count;
                _entries.Remove(expired);
            }

            while (_held + count > MaxIds && _entries.Count > 0)
            {
                var oldest = _entries.MinBy(e => e.Value.LastUsed);
                _held -= oldest.Value.Count;
                _entries.Remove(oldest.Key);
            }

            _entries[sessionId] = new Entry(fingerprint, ids, count) { LastUsed = now };
            _held += count;
        }
    }

    private sealed class Entry(string fingerprint, Task<IReadOnlyList<string>> ids, long count)
    {
        public string Fingerprint { get; } = fingerprint;

        public Task<IReadOnlyList<string>> Ids { get; } = ids;

        public long Count { get; } = count;

        public DateTimeOffset LastUsed { get; set; }
    }
}
