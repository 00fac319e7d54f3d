using System.Threading.Channels;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// Commits one group of profile updates and returns their results: one array per batch of the
/// group, in batch order, each holding one result per update. Throwing fails every batch of the
/// group with that exception.
/// </summary>
/// <param name="batches">The batches of the group, in queue order.</param>
/// <param name="updateCount">The number of updates across all batches.</param>
public delegate ApplyResult[][] CommitGroup(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount);

/// <summary>The asynchronous form of <see cref="CommitGroup"/>.</summary>
/// <param name="batches">The batches of the group, in queue order.</param>
/// <param name="updateCount">The number of updates across all batches.</param>
public delegate Task<ApplyResult[][]> CommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount);

/// <summary>
/// The group commit shared by the profile stores: callers queue <see cref="IProfileStore.ApplyAsync"/>
/// batches, and one writer loop takes everything queued (up to a maximum number of updates), hands
/// that group to the backend to commit in one transaction, and only then completes every caller of
/// the group with its results, or fails every one of them with the backend's exception.
/// </summary>
/// <remarks>
/// Cancellation withdraws a batch only while it is still queued; once the writer has taken it, the
/// caller waits for the commit so the outcome is never in doubt. Completing the queue stops it
/// accepting batches; the writer finishes everything already queued, then exits.
/// </remarks>
public sealed class GroupCommitQueue
{
    private const int QueueCapacity = 1024;

    private readonly int _maxUpdatesPerCommit;
    private readonly string _ownerName;
    private readonly Channel<WriteRequest> _queue;
    private readonly List<WriteRequest> _group = [];
    private readonly List<IReadOnlyList<ProfileUpdate>> _batches = [];
    private Task? _writerLoop;

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

    /// <summary>
    /// Starts the writer loop on a dedicated thread that calls <paramref name="commit"/> for each
    /// group; for a backend whose commit blocks.
    /// </summary>
    public void StartOnDedicatedThread(CommitGroup commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        Start(() => Task.Factory.StartNew(() => WriterLoop(commit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    /// <summary>Starts the writer loop as an asynchronous task that awaits <paramref name="commit"/> for each group.</summary>
    public void Start(CommitGroupAsync commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        Start(() => Task.Run(() => WriterLoopAsync(commit), CancellationToken.None));
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

    private void WriterLoop(CommitGroup commit)
    {
        var reader = _queue.Reader;
        while (WaitToRead(reader))
        {
            var updates = TakeGroup(reader);
            if (_group.Count == 0)
            {
                continue;
            }

            ApplyResult[][] results;
            try
            {
                results = commit(_batches, updates);
            }
            catch (Exception exception)
            {
                FailGroup(exception);
                continue;
            }

            CompleteGroup(results);
        }

        ClearGroup();
    }

    private async Task WriterLoopAsync(CommitGroupAsync commit)
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
            try
            {
                results = await commit(_batches, updates).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                FailGroup(exception);
                continue;
            }

            CompleteGroup(results);
        }

        ClearGroup();
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
        var updates = 0;
        while (updates < _maxUpdatesPerCommit && reader.TryRead(out var request))
        {
            if (request.TryClaim())
            {
                _group.Add(request);
                _batches.Add(request.Updates);
                updates += request.Updates.Count;
            }
        }

        return updates;
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
