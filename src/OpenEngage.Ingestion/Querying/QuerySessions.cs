namespace OpenEngage.Querying;

/// <summary>
/// The ordered ids of recent queries, keyed by project and <c>session_id</c>, so every page of one
/// query is cut from one snapshot of the order: no profile appears twice or is skipped while writes
/// go on. A snapshot may still be being computed by the store when its session is remembered.
/// </summary>
/// <remarks>
/// A session lives <see cref="Lifetime"/> after its last use. Memory is bounded in bytes: each
/// session counts its query (the fingerprint) and its ids (estimated from their number until they
/// are known, then exactly); when the sessions would hold more than the bound, the least recently
/// used are dropped (a dropped session is recomputed on its next page, as a new snapshot). A
/// session larger than the whole bound is not kept.
/// </remarks>
public sealed class QuerySessions(TimeProvider time, long maxBytes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>What an id is counted as until the ids are known.</summary>
    private const int EstimatedIdBytes = 64;

    /// <summary>A string's object header and length, and its reference in the list.</summary>
    private const int IdOverheadBytes = 32;

    /// <summary>The entry itself, its key and its dictionary slot.</summary>
    private const int EntryOverheadBytes = 256;

    private readonly Dictionary<(string Project, string Session), Entry> _entries = [];
    private readonly Lock _lock = new();
    private long _held;

    /// <summary>Bytes the sessions are counted as holding now.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>
    /// The snapshot and page size of the project's <paramref name="sessionId"/> when it was taken for
    /// the same query, is still alive and did not fail.
    /// </summary>
    public (Task<IReadOnlyList<string>> Ids, int PageSize)? Find(string project, string sessionId, string fingerprint)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_entries.TryGetValue((project, sessionId), out var entry) && entry.Fingerprint == fingerprint && now - entry.LastUsed < Lifetime
                && !entry.Ids.IsFaulted && !entry.Ids.IsCanceled)
            {
                entry.LastUsed = now;
                return (entry.Ids, entry.PageSize);
            }

            return null;
        }
    }

    /// <summary>Keeps the snapshot of <paramref name="count"/> ids (still being computed, perhaps) for the project's session.</summary>
    public void Remember(string project, string sessionId, string fingerprint, int pageSize, Task<IReadOnlyList<string>> ids, long count)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(ids);
        var key = (project, sessionId);
        var fixedBytes = EntryOverheadBytes + ((long)fingerprint.Length + project.Length + sessionId.Length) * sizeof(char);
        var entry = new Entry(fingerprint, ids, pageSize, fixedBytes) { Bytes = fixedBytes + (count * EstimatedIdBytes) };
        lock (_lock)
        {
            if (_entries.Remove(key, out var previous))
            {
                _held -= previous.Bytes;
            }

            var now = time.GetUtcNow();
            foreach (var expired in _entries.Where(e => now - e.Value.LastUsed >= Lifetime).Select(e => e.Key).ToList())
            {
                _held -= _entries[expired].Bytes;
                _entries.Remove(expired);
            }

            if (entry.Bytes > maxBytes)
            {
                return;
            }

            entry.LastUsed = now;
            MakeRoom(entry.Bytes, except: null);
            _entries[key] = entry;
            _held += entry.Bytes;
        }

        ids.ContinueWith(done => Settle(key, entry, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Once the ids are known, counts them exactly.</summary>
    private void Settle((string, string) key, Entry entry, Task<IReadOnlyList<string>> done)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            if (!done.IsCompletedSuccessfully)
            {
                _entries.Remove(key);
                _held -= entry.Bytes;
                return;
            }

            var bytes = entry.FixedBytes;
            foreach (var id in done.Result)
            {
                bytes += IdOverheadBytes + ((long)id.Length * sizeof(char));
            }

            _held += bytes - entry.Bytes;
            entry.Bytes = bytes;
            if (bytes > maxBytes)
            {
                _entries.Remove(key);
                _held -= bytes;
                return;
            }

            MakeRoom(0, except: entry);
        }
    }

    /// <summary>Drops the least recently used sessions (never <paramref name="except"/>) until <paramref name="bytes"/> more fit.</summary>
    private void MakeRoom(long bytes, Entry? except)
    {
        if (_held + bytes <= maxBytes)
        {
            return;
        }

        foreach (var oldest in _entries.Where(e => !ReferenceEquals(e.Value, except)).OrderBy(e => e.Value.LastUsed).ToList())
        {
            _held -= oldest.Value.Bytes;
            _entries.Remove(oldest.Key);
            if (_held + bytes <= maxBytes)
            {
                return;
            }
        }
    }

    private sealed class Entry(string fingerprint, Task<IReadOnlyList<string>> ids, int pageSize, long fixedBytes)
    {
        public string Fingerprint { get; } = fingerprint;

        public Task<IReadOnlyList<string>> Ids { get; } = ids;

        public int PageSize { get; } = pageSize;

        public long FixedBytes { get; } = fixedBytes;

        public long Bytes { get; set; }

        public DateTimeOffset LastUsed { get; set; }
    }
}
