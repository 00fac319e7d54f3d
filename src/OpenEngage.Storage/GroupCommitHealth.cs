using System.Diagnostics;

namespace OpenEngage.Storage;

/// <summary>
/// What the readiness check needs to know about a group commit writer: whether a commit has been
/// running for long, and since when updates have been waiting without the writer taking them.
/// </summary>
/// <remarks>Written by the queue's writer threads and by callers that queue updates; read by the readiness check.</remarks>
public sealed class GroupCommitHealth
{
    /// <summary>The <see cref="Stopwatch.GetTimestamp"/> at which the running commit started; 0 when none runs.</summary>
    private long _commitStartedAt;

    /// <summary>Since when queued updates have been waiting for the writer to take them; 0 when none waits.</summary>
    private long _waitingSince;

    /// <summary>How long the running commit has run; zero when none runs.</summary>
    public TimeSpan CommitRunningFor => Elapsed(Volatile.Read(ref _commitStartedAt));

    /// <summary>How long queued updates have waited without the writer taking any; zero when none waits.</summary>
    public TimeSpan WaitingFor => Elapsed(Volatile.Read(ref _waitingSince));

    /// <summary>A commit starts; returns its start for <see cref="CommitFinished"/>.</summary>
    public long CommitStarting()
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _commitStartedAt, now);
        return now;
    }

    /// <summary>
    /// The commit started at <paramref name="started"/> returned or threw: <paramref name="succeeded"/>
    /// is null when it wrote nothing and the store did not fail: its state was stale (it is prepared
    /// and committed again), or the database refused one of its updates (the group is committed again
    /// in parts, leaving that update out). Only true and false are counted in the metrics.
    /// </summary>
    public void CommitFinished(long started, int updates, bool? succeeded)
    {
        Volatile.Write(ref _commitStartedAt, 0);
        if (succeeded is { } outcome)
        {
            StorageMetrics.Committed(updates, started, outcome);
        }
    }

    /// <summary>Updates were queued while none waited: they wait from now.</summary>
    internal void StartedWaiting() => Interlocked.CompareExchange(ref _waitingSince, Stopwatch.GetTimestamp(), 0);

    /// <summary>The writer took a group; updates that are still queued wait from now.</summary>
    internal void Taken(bool moreQueued) => Volatile.Write(ref _waitingSince, moreQueued ? Stopwatch.GetTimestamp() : 0);

    private static TimeSpan Elapsed(long since) => since == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(since);
}
