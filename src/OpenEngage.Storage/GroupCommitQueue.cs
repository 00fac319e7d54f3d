using System.Threading.Channels;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// Commits one group of profile updates and returns their results: one array per batch of the
/// group, in batch order, each holding one result per update. Throwing fails every batch of the
/// group with that exception, unless the failure is the updates' own (then the group is isolated).
/// </summary>
/// <param name="batches">The batches of the group, in queue order.</param>
/// <param name="updateCount">The number of updates across all batches.</param>
public delegate Task<ApplyResult[][]> CommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount);

/// <summary>
/// The group commit shared by the profile stores: callers queue <see cref="IProfileStore.ApplyAsync"/>
/// batches, and one writer loop takes everything queued (up to a maximum number of updates), hands
/// that group to the backend to commit in one transaction, and only then completes every caller of
/// the group with its results, or fails every one of them with the backend's exception (unless the
/// database refused the group's data: see the isolation below).
/// </summary>
/// <remarks>
/// Cancellation withdraws a batch only while it is still queued; once the writer has taken it, the
/// caller waits for the commit so the outcome is never in doubt. Completing the queue stops it
/// accepting batches; the writer finishes everything already queued, then exits.
/// <para>
/// One update must never fail another request's updates. When the database refuses a group's data
/// (the backend says the failure is caused by the updates, and nothing was stored), the group is
/// isolated: its updates are committed again in queue order in halves, halves of halves, down to
/// single updates; every part that commits completes its updates, and a single update the database
/// still refuses is rejected with a per-record error. Any other failure (a full disk, a lost
/// connection) fails the requests it affects, as before.
/// </para>
/// </remarks>
public sealed partial class GroupCommitQueue
{
    private const int QueueCapacity = 1024;

    private readonly int _maxUpdatesPerCommit;
    private readonly string _ownerName;
    private readonly Channel<WriteRequest> _queue;
    private readonly List<WriteRequest> _group = [];
    private readonly List<IReadOnlyList<ProfileUpdate>> _batches = [];
    private Task? _writerLoop;

    /// <summary>Updates in the queue (withdrawn ones included) that the writer has not taken yet.</summary>
    private long _queuedUpdates;

    /// <summary>When a pipelined writer loop runs: the number of queued updates that wakes it while a commit is in flight.</summary>
    private long _wakeAtQueuedUpdates = long.MaxValue;

    /// <summary>Wakes the pipelined writer loop: a commit finished, or enough updates are queued.</summary>
    /// <remarks>
    /// The stages' events block without spinning first: the two stages and the request threads
    /// share few cores, and a spinning waiter takes CPU time from the very work it waits for.
    /// </remarks>
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

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

    /// <summary>True once a writer loop was started.</summary>
    public bool IsStarted => _writerLoop is not null;

    /// <summary>The most batches the queue holds; callers wait beyond it.</summary>
    public static int Capacity => QueueCapacity;

    /// <summary>Batches queued that the writer has not taken yet.</summary>
    public int QueuedBatches => _queue.Reader.Count;

    /// <summary>Whether the writer makes progress, for the readiness check.</summary>
    public GroupCommitHealth Health { get; } = new();

    /// <summary>Checks the arguments of <see cref="IProfileStore.ApplyAsync"/>: every update needs a project.</summary>
    public static void ValidateUpdates(IReadOnlyList<ProfileUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            if (update?.Project is null)
            {
                throw new ArgumentException("Every update needs a project.", nameof(updates));
            }
        }
    }

    /// <summary>Queues a batch and waits until the group that holds it is committed (or failed).</summary>
    /// <exception cref="ObjectDisposedException">The queue was completed.</exception>
    public async Task<IReadOnlyList<ApplyResult>> EnqueueAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken)
    {
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

    /// <summary>Starts the writer loop as an asynchronous task that awaits <paramref name="commit"/> for each group.</summary>
    /// <param name="commit">Commits one group.</param>
    /// <param name="isCausedByUpdates">
    /// Whether an exception of <paramref name="commit"/> was caused by the group's updates (the
    /// database refused their data, and nothing was stored) rather than by the store: such a group
    /// is isolated (see <see cref="GroupCommitQueue"/>). Null: every failure fails the whole group.
    /// </param>
    public void Start(CommitGroupAsync commit, Func<Exception, bool>? isCausedByUpdates = null)
    {
        ArgumentNullException.ThrowIfNull(commit);
        Start(() => Task.Run(() => WriterLoopAsync(commit, isCausedByUpdates), CancellationToken.None));
    }

    /// <summary>
    /// Starts a pipelined writer loop: one dedicated thread takes groups and prepares them
    /// (<see cref="IPipelinedGroupCommit{TPrepared}.Prepare"/>), a second one commits them, so the
    /// next group is prepared while the previous one is being committed.
    /// </summary>
    /// <remarks>
    /// At most one group is being committed while the next one is prepared on top of its state.
    /// Callers are completed only after their group's commit succeeded. When a commit fails, its
    /// callers get the exception, the backend forgets every state that was not committed
    /// (<see cref="IPipelinedGroupCommit{TPrepared}.Discard"/>), and a group prepared on top of the
    /// failed one is prepared again from committed state before it is committed. When a commit
    /// reports that the state it was prepared on is stale, the group is prepared again and retried.
    /// While a commit is in flight, the next group is taken only once
    /// <paramref name="pipelineAfterUpdates"/> updates are queued; otherwise the loop waits for the
    /// commit and then takes everything queued, so small requests still share one commit.
    /// </remarks>
    /// <param name="backend">The two stages.</param>
    /// <param name="pipelineAfterUpdates">How many queued updates make it worth preparing a group while the previous one commits.</param>
    public void StartPipelined<TPrepared>(IPipelinedGroupCommit<TPrepared> backend, int pipelineAfterUpdates)
        where TPrepared : PreparedGroup
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfLessThan(pipelineAfterUpdates, 1);
        _wakeAtQueuedUpdates = pipelineAfterUpdates;
        Start(() => Task.Factory.StartNew(() => PipelinedLoop(backend), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    /// <summary>Stops accepting batches and waits until the writer has committed everything already queued.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop.ConfigureAwait(false);
        }
    }

    private void Start(Func<Task> run)
    {
        if (_writerLoop is not null)
        {
            throw new InvalidOperationException("The writer loop is already started.");
        }

        _writerLoop = run();
    }

    private async Task WriterLoopAsync(CommitGroupAsync commit, Func<Exception, bool>? isCausedByUpdates)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var updates = TakeGroup(reader);
            if (_group.Count == 0)
            {
                continue;
            }

            ApplyResult[][] results;
            var started = Health.CommitStarting();
            try
            {
                results = await commit(_batches, updates).ConfigureAwait(false);
            }
            catch (Exception exception) when (isCausedByUpdates?.Invoke(exception) == true)
            {
                await IsolateAsync(commit, isCausedByUpdates, _group, exception).ConfigureAwait(false);
                continue;
            }
            catch (Exception exception)
            {
                Health.CommitFinished(started, updates, succeeded: false);
                FailGroup(exception);
                continue;
            }

            Health.CommitFinished(started, updates, succeeded: true);
            CompleteGroup(results);
        }

        ClearGroup();
    }

    private void PipelinedLoop<TPrepared>(IPipelinedGroupCommit<TPrepared> backend)
        where TPrepared : PreparedGroup
    {
        var reader = _queue.Reader;
        using var stage = new CommitStage<TPrepared>(backend, _wake, Health);
        InFlight<TPrepared>? inFlight = null;
        while (true)
        {
            if (inFlight is not null && !WaitForCommitOrWork(stage))
            {
                // The commit finished first: settle it, then take everything queued meanwhile.
                FinishInFlight(backend, stage, inFlight);
                inFlight = null;
                continue;
            }

            if (inFlight is null && !WaitToRead(reader))
            {
                break;
            }

            var group = new List<WriteRequest>();
            var batches = new List<IReadOnlyList<ProfileUpdate>>();
            var updates = TakeGroup(reader, group, batches);
            if (group.Count == 0)
            {
                continue;
            }

            var prepared = TryPrepare(backend, batches, updates, out var failure);
            if (inFlight is not null)
            {
                if (!FinishInFlight(backend, stage, inFlight) && prepared is not null)
                {
                    // Prepared on top of a state that was not stored: prepare it again from committed state.
                    prepared = TryPrepare(backend, batches, updates, out failure);
                }

                inFlight = null;
            }

            if (prepared is not null)
            {
                inFlight = new InFlight<TPrepared>(group, batches, updates, prepared);
                stage.Start(inFlight);
            }
            else if (backend.IsCausedByUpdates(failure!))
            {
                // Nothing is in flight now: find the updates at fault by committing smaller groups.
                Isolate(backend, group, failure!);
            }
            else
            {
                foreach (var request in group)
                {
                    request.Completion.TrySetException(failure!);
                }
            }
        }
    }

    /// <summary>Waits until the commit in flight finished (false) or enough updates are queued to prepare the next group now (true).</summary>
    private bool WaitForCommitOrWork<TPrepared>(CommitStage<TPrepared> stage)
        where TPrepared : PreparedGroup
    {
        while (true)
        {
            _wake.Reset();
            if (stage.IsDone)
            {
                return false;
            }

            if (Interlocked.Read(ref _queuedUpdates) >= _wakeAtQueuedUpdates)
            {
                return true;
            }

            _wake.Wait();
        }
    }

    /// <summary>
    /// Waits for the commit in flight and settles it. Returns true when the group committed on the
    /// state it was first prepared on; false when the backend discarded its uncommitted state on the
    /// way (a failed commit, or a stale state that made it prepare and commit the group again), so a
    /// group prepared meanwhile has to be prepared again.
    /// </summary>
    private static bool FinishInFlight<TPrepared>(IPipelinedGroupCommit<TPrepared> backend, CommitStage<TPrepared> stage, InFlight<TPrepared> inFlight)
        where TPrepared : PreparedGroup
    {
        var kept = true;
        while (true)
        {
            var outcome = stage.WaitDone();
            switch (outcome)
            {
                case CommitOutcome.Committed:
                    backend.Committed(inFlight.Prepared);
                    return kept;
                case CommitOutcome.Failed:
                    // The commit stage has failed the callers already.
                    backend.Discard();
                    return false;
                case CommitOutcome.Refused:
                    // The database refused the group's data: nobody is completed yet; find the updates at fault.
                    backend.Discard();
                    Isolate(backend, inFlight.Group, inFlight.Refusal!);
                    return false;
                default:
                    // Stale: nothing was written and nobody completed; prepare again on what is stored now.
                    backend.Discard();
                    kept = false;
                    if (TryPrepare(backend, inFlight.Batches, inFlight.Updates, out var failure) is not { } again)
                    {
                        if (backend.IsCausedByUpdates(failure!))
                        {
                            Isolate(backend, inFlight.Group, failure!);
                        }
                        else
                        {
                            foreach (var request in inFlight.Group)
                            {
                                request.Completion.TrySetException(failure!);
                            }
                        }

                        return false;
                    }

                    inFlight.Prepared = again;
                    stage.Start(inFlight);
                    break;
            }
        }
    }

    /// <summary>Prepares a group; when preparing throws, returns null and the exception.</summary>
    private static TPrepared? TryPrepare<TPrepared>(IPipelinedGroupCommit<TPrepared> backend, List<IReadOnlyList<ProfileUpdate>> batches, int updates, out Exception? failure)
        where TPrepared : PreparedGroup
    {
        try
        {
            failure = null;
            return backend.Prepare(batches, updates);
        }
        catch (Exception exception)
        {
            failure = exception;
            return null;
        }
    }

    private static bool WaitToRead(ChannelReader<WriteRequest> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes what is queued, up to the maximum, skipping withdrawn batches; returns the number of updates taken.</summary>
    private int TakeGroup(ChannelReader<WriteRequest> reader)
    {
        ClearGroup();
        return TakeGroup(reader, _group, _batches);
    }

    private int TakeGroup(ChannelReader<WriteRequest> reader, List<WriteRequest> group, List<IReadOnlyList<ProfileUpdate>> batches)
    {
        var updates = 0;
        while (updates < _maxUpdatesPerCommit && reader.TryRead(out var request))
        {
            CountQueued(-request.Updates.Count);
            if (request.TryClaim())
            {
                group.Add(request);
                batches.Add(request.Updates);
                updates += request.Updates.Count;
            }
        }

        Health.Taken(moreQueued: Interlocked.Read(ref _queuedUpdates) > 0);
        return updates;
    }

    /// <summary>Counts updates into (positive) or out of (negative) the queue, and wakes a pipelined loop that waits for them.</summary>
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
            _wake.Set();
        }
    }

    private void CompleteGroup(ApplyResult[][] results)
    {
        for (var i = 0; i < _group.Count; i++)
        {
            _group[i].Completion.TrySetResult(results[i]);
        }
    }

    private void FailGroup(Exception exception)
    {
        foreach (var request in _group)
        {
            request.Completion.TrySetException(exception);
        }
    }

    private void ClearGroup()
    {
        _group.Clear();
        _batches.Clear();
    }

    private enum CommitOutcome
    {
        Committed,
        Failed,
        Stale,

        /// <summary>The database refused the group's data (<see cref="IPipelinedGroupCommit{TPrepared}.IsCausedByUpdates"/>); nothing was stored and nobody completed.</summary>
        Refused,
    }

    /// <summary>A prepared group handed to the commit stage, with the callers it completes.</summary>
    private sealed class InFlight<TPrepared>(List<WriteRequest> group, List<IReadOnlyList<ProfileUpdate>> batches, int updates, TPrepared prepared)
        where TPrepared : PreparedGroup
    {
        public List<WriteRequest> Group { get; } = group;

        public List<IReadOnlyList<ProfileUpdate>> Batches { get; } = batches;

        public int Updates { get; } = updates;

        public TPrepared Prepared { get; set; } = prepared;

        /// <summary>Why the database refused the group, when the outcome is <see cref="CommitOutcome.Refused"/>.</summary>
        public Exception? Refusal { get; set; }
    }

    /// <summary>
    /// The second stage of a pipelined loop: a dedicated thread that commits one prepared group at a
    /// time and completes (or fails) its callers as soon as the commit returned.
    /// </summary>
    private sealed class CommitStage<TPrepared> : IDisposable
        where TPrepared : PreparedGroup
    {
        private readonly IPipelinedGroupCommit<TPrepared> _backend;
        private readonly ManualResetEventSlim _wake;
        private readonly GroupCommitHealth _health;
        private readonly ManualResetEventSlim _start = new(false, spinCount: 0);
        private readonly ManualResetEventSlim _done = new(true, spinCount: 0);
        private readonly Thread _thread;
        private InFlight<TPrepared>? _current;
        private CommitOutcome _outcome;
        private bool _stopping;

        public CommitStage(IPipelinedGroupCommit<TPrepared> backend, ManualResetEventSlim wake, GroupCommitHealth health)
        {
            _backend = backend;
            _wake = wake;
            _health = health;
            _thread = new Thread(Run) { IsBackground = true, Name = "Group commit" };
            _thread.Start();
        }

        public bool IsDone => _done.IsSet;

        /// <summary>Hands a prepared group over; the previous one must be done.</summary>
        public void Start(InFlight<TPrepared> inFlight)
        {
            _done.Reset();
            _current = inFlight;
            _start.Set();
        }

        public CommitOutcome WaitDone()
        {
            _done.Wait();
            return _outcome;
        }

        public void Dispose()
        {
            _done.Wait();
            _stopping = true;
            _start.Set();
            _thread.Join();
            _start.Dispose();
            _done.Dispose();
        }

        private void Run()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                if (_stopping)
                {
                    return;
                }

                var inFlight = _current!;
                var started = _health.CommitStarting();
                try
                {
                    var committed = _backend.Commit(inFlight.Prepared);
                    _health.CommitFinished(started, inFlight.Updates, committed ? true : null);
                    if (committed)
                    {
                        var results = inFlight.Prepared.Results;
                        for (var i = 0; i < inFlight.Group.Count; i++)
                        {
                            inFlight.Group[i].Completion.TrySetResult(results[i]);
                        }

                        _outcome = CommitOutcome.Committed;
                    }
                    else
                    {
                        _outcome = CommitOutcome.Stale;
                    }
                }
                catch (Exception exception) when (_backend.IsCausedByUpdates(exception))
                {
                    inFlight.Refusal = exception;
                    _outcome = CommitOutcome.Refused;
                }
                catch (Exception exception)
                {
                    _health.CommitFinished(started, inFlight.Updates, succeeded: false);
                    foreach (var request in inFlight.Group)
                    {
                        request.Completion.TrySetException(exception);
                    }

                    _outcome = CommitOutcome.Failed;
                }

                _current = null;
                _done.Set();
                _wake.Set();
            }
        }
    }

    /// <summary>One queued batch and its waiting caller.</summary>
    private sealed class WriteRequest(IReadOnlyList<ProfileUpdate> updates)
    {
        private const int Queued = 0, Claimed = 1, Canceled = 2;
        private int _state;

        public IReadOnlyList<ProfileUpdate> Updates { get; } = updates;

        public TaskCompletionSource<IReadOnlyList<ApplyResult>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The writer takes the batch; from now on it will be committed or failed, not canceled.</summary>
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        public void TryCancel(CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _state, Canceled, Queued) == Queued)
            {
                Completion.TrySetCanceled(cancellationToken);
            }
        }
    }
}
