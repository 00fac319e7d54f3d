using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenEngage.Storage;

/// <summary>
/// The stores' instruments on the meter <c>OpenEngage.Storage</c>: group commit sizes and
/// durations, the updates waiting in the queue, and the profile cache's hits and misses.
/// </summary>
/// <remarks>
/// Process-wide, like the stores' threads: a server runs one store. Recording costs an interlocked
/// add or a histogram update per group, nothing per update beyond the cache counters.
/// </remarks>
public static class StorageMetrics
{
    public const string MeterName = "OpenEngage.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> CommitSize = Meter.CreateHistogram(
        "openengage.group_commit.size",
        unit: "{update}",
        description: "Updates committed together in one transaction by the group commit.",
        tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] });

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram(
        "openengage.group_commit.duration",
        unit: "s",
        description: "Time to write and commit one group (the durable write, fsync included).",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Counter<long> CommitFailures = Meter.CreateCounter<long>(
        "openengage.group_commit.failures",
        unit: "{group}",
        description: "Group commits that failed; every request in the group was answered with an error.");

    private static long _queuedUpdates;
    private static long _cacheHits;
    private static long _cacheMisses;

    static StorageMetrics()
    {
        Meter.CreateObservableUpDownCounter(
            "openengage.group_commit.queue_depth",
            () => Volatile.Read(ref _queuedUpdates),
            unit: "{update}",
            description: "Updates queued for the group commit that the writer has not taken yet.");
        Meter.CreateObservableCounter(
            "openengage.profile_cache.hits",
            () => Volatile.Read(ref _cacheHits),
            unit: "{lookup}",
            description: "Updates whose profile the embedded store found parsed in its cache.");
        Meter.CreateObservableCounter(
            "openengage.profile_cache.misses",
            () => Volatile.Read(ref _cacheMisses),
            unit: "{lookup}",
            description: "Updates whose profile the embedded store had to read from the database.");
    }

    /// <summary>Updates entered (positive) or left (negative) a group commit queue.</summary>
    public static void Queued(int delta) => Interlocked.Add(ref _queuedUpdates, delta);

    /// <summary>A group commit finished; <paramref name="started"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void Committed(int updates, long started, bool succeeded)
    {
        if (succeeded)
        {
            CommitSize.Record(updates);
            CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        else
        {
            CommitFailures.Add(1);
        }
    }

    /// <summary>One lookup in a profile cache.</summary>
    public static void CacheLookup(bool hit)
    {
        if (hit)
        {
            Interlocked.Increment(ref _cacheHits);
        }
        else
        {
            Interlocked.Increment(ref _cacheMisses);
        }
    }
}
