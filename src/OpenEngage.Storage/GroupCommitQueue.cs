using System.Threading.Channels;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The queue of a group commit, shared by the profile stores: callers queue
/// <see cref="IProfileStore.ApplyAsync"/> batches, and the store's writer takes everything queued
/// (up to a maximum number of updates) as one <see cref="CommitGroup"/>, commits it in one
/// transaction, and only then completes every caller of the group with its results, or fails every
/// one of them (unless the database refused the group's data: see <see cref="CommitGroup"/>).
/// </summary>
/// <remarks>
/// The queue knows nothing of how a store writes: each store runs its own writer (an asynchronous
/// loop for PostgreSQL, a two-thread pipeline for SQLite) over <see cref="WaitToReadAsync"/> and
/// <see cref="TakeGroup"/>.
/// Cancellation withdraws a batch only while it is still queued; once the writer has taken it, the
/// caller waits for the commit so the outcome is never in doubt. <see cref="Complete"/> stops the
/// queue accepting batches; the writer finishes everything already queued, then its wait for more
/// returns false.
/// </remarks>
public sealed class GroupCommitQueue
{
    private const int QueueCapacity = 1024;

    private readonly int _maxUpdatesPerCommit;
    private readonly string _ownerName;
    private readonly Channel<WriteRequest> _queue;

    /// <summary>Updates in the queue (withdrawn ones included) that the writer has not taken yet.</summary>
    private long _queuedUpdates;

    /// <summary>The number of queued updates that sets <see cref="_wake"/>; never when none is set.</summary>
    private long _wakeAtQueuedUpdates = long.MaxValue;

    private ManualResetEventSlim? _wake;

    /// <param name="maxUpdatesPerCommit">The number of updates after which a group takes no further batch; a batch is never split.</param>
    /// <param name="ownerName">The name of the store, reported when a batch arrives after the queue was completed.</param>
    public GroupCommitQueue(int maxUpdatesPerCommit, string ownerName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUpdatesPerCommit, 1);
        ArgumentNullException.ThrowIfNull(ownerName);

        _maxUpdatesPerCommit = maxUpdatesPerCommit;
        _ownerName = ownerName;
        _queue = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The most batches the queue holds; callers wait beyond it.</summary>
    public static int Capacity => QueueCapacity;

    /// <summary>Batches queued that the writer has not taken yet.</summary>
    public int QueuedBatches => _queue.Reader.Count;

    /// <summary>Updates queued (withdrawn ones included) that the writer has not taken yet.</summary>
    public long QueuedUpdates => Interlocked.Read(ref _queuedUpdates);

    /// <summary>Whether the writer makes progress, for the readiness check.</summary>
    public GroupCommitHealth Health { get; } = new();

    /// <summary>Queues a batch and waits until the group that holds it is committed (or failed).</summary>
    /// <exception cref="ObjectDisposedException">The queue was completed.</exception>
    public async Task<IReadOnlyList<ApplyResult>> EnqueueAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        cancellationToken.ThrowIfCancellationRequested();
        if (updates.Count == 0)
        {
            return [];
        }

        var request = new WriteRequest(updates);
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(_ownerName);
        }

        CountQueued(updates.Count);

        if (!cancellationToken.CanBeCanceled)
        {
            return await request.Completion.Task.ConfigureAwait(false);
        }

        // Cancellation withdraws the batch only while it is still queued; once the writer has taken
        // it, the caller waits for the commit so the outcome is never in doubt.
        using (cancellationToken.Register(static (state, token) => ((WriteRequest)state!).TryCancel(token), request))
        {
            return await request.Completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a batch is queued (true) or the queue is completed and empty (false).</summary>
    public ValueTask<bool> WaitToReadAsync() => _queue.Reader.WaitToReadAsync();

    /// <summary>
    /// Takes what is queued, up to the maximum, skipping withdrawn batches; null when nothing (or
    /// only withdrawn batches) was queued. The caller must complete or fail the group.
    /// </summary>
    public CommitGroup? TakeGroup()
    {
        var reader = _queue.Reader;
        List<WriteRequest>? requests = null;
        List<IReadOnlyList<ProfileUpdate>>? batches = null;
        var updates = 0;
        while (updates < _maxUpdatesPerCommit && reader.TryRead(out var request))
        {
            CountQueued(-request.Updates.Count);
            if (request.TryClaim())
            {
                (requests ??= []).Add(request);
                (batches ??= []).Add(request.Updates);
                updates += request.Updates.Count;
            }
        }

        Health.Taken(moreQueued: Interlocked.Read(ref _queuedUpdates) > 0);
        return requests is null ? null : new CommitGroup(requests, batches!, updates);
    }

    /// <summary>
    /// Sets <paramref name="wake"/> each time the number of queued updates reaches
    /// <paramref name="queuedUpdates"/>: a writer that waits for a commit learns that enough is
    /// queued to take the next group now. Set once, before the writer starts.
    /// </summary>
    public void WakeWhenQueued(int queuedUpdates, ManualResetEventSlim wake)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queuedUpdates, 1);
        ArgumentNullException.ThrowIfNull(wake);
        _wake = wake;
        _wakeAtQueuedUpdates = queuedUpdates;
    }

    /// <summary>Stops accepting batches; the writer still takes everything already queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Counts updates into (positive) or out of (negative) the queue, and wakes a writer that waits for them.</summary>
    private void CountQueued(int delta)
    {
        var now = Interlocked.Add(ref _queuedUpdates, delta);
        StorageMetrics.Queued(delta);
        if (delta > 0 && now == delta)
        {
            Health.StartedWaiting();
        }

        if (delta > 0 && now >= _wakeAtQueuedUpdates && now - delta < _wakeAtQueuedUpdates)
        {
            _wake?.Set();
        }
    }
}
