using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The embedded store's group commit writer: one dedicated thread takes groups from the queue and
/// prepares them (<see cref="SqliteWriteStage.Prepare"/>), a second one
/// (<see cref="SqliteCommitStage"/>) commits them, so the next group is prepared while the previous
/// one is being committed.
/// </summary>
/// <remarks>
/// At most one group is being committed while the next one is prepared on top of its state.
/// Callers are completed only after their group's commit succeeded. When a commit fails, its
/// callers get the exception, the stage forgets every state that was not committed
/// (<see cref="SqliteWriteStage.Discard"/>), and a group prepared on top of the failed one is
/// prepared again from committed state before it is committed. When a commit reports that the
/// state it was prepared on is stale, the group is prepared again and retried. When SQLite refuses
/// a group's data, the group is isolated (<see cref="CommitGroup.IsolateAsync"/>) on the first
/// stage's thread while the commit stage is idle.
/// While a commit is in flight, the next group is taken only once enough updates are queued
/// (<c>pipelineAfterUpdates</c>); otherwise the loop waits for the commit and then takes everything
/// queued, so small requests still share one commit.
/// </remarks>
internal sealed class SqlitePipelinedWriter
{
    private readonly GroupCommitQueue _queue;
    private readonly SqliteWriteStage _stage;
    private readonly int _pipelineAfterUpdates;

    /// <summary>Wakes the first stage: a commit finished, or enough updates are queued.</summary>
    /// <remarks>
    /// The stages' events block without spinning first: the two stages and the request threads
    /// share few cores, and a spinning waiter takes CPU time from the very work it waits for.
    /// </remarks>
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

    /// <param name="pipelineAfterUpdates">How many queued updates make it worth preparing a group while the previous one commits.</param>
    public SqlitePipelinedWriter(GroupCommitQueue queue, SqliteWriteStage stage, int pipelineAfterUpdates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pipelineAfterUpdates, 1);
        _queue = queue;
        _stage = stage;
        _pipelineAfterUpdates = pipelineAfterUpdates;
        queue.WakeWhenQueued(pipelineAfterUpdates, _wake);
    }

    /// <summary>Starts the first stage's thread; the task completes once the queue is completed and everything in it committed.</summary>
    public Task Start() =>
        Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run()
    {
        using var commitStage = new SqliteCommitStage(_stage, _wake, _queue.Health);
        SqliteCommitStage.InFlight? inFlight = null;
        while (true)
        {
            if (inFlight is not null && !WaitForCommitOrWork(commitStage))
            {
                // The commit finished first: settle it, then take everything queued meanwhile.
                FinishInFlight(commitStage, inFlight);
                inFlight = null;
                continue;
            }

            if (inFlight is null && !WaitToRead())
            {
                break;
            }

            if (_queue.TakeGroup() is not { } group)
            {
                continue;
            }

            var prepared = TryPrepare(group, out var failure);
            if (inFlight is not null)
            {
                var kept = FinishInFlight(commitStage, inFlight);
                if ((!kept && prepared is not null) || failure is LateRecordWaitsForCommitException)
                {
                    // Prepared on top of a state that was not stored, or a late record needs the
                    // log rows of the group just committed: prepare it again from committed state.
                    prepared = TryPrepare(group, out failure);
                }

                inFlight = null;
            }

            if (prepared is not null)
            {
                inFlight = new SqliteCommitStage.InFlight(group, prepared);
                commitStage.Start(inFlight);
            }
            else
            {
                // Nothing is in flight now: a refused group is isolated, any other failure fails it.
                FailOrIsolate(group, failure!);
            }
        }
    }

    /// <summary>Waits until the commit in flight finished (false) or enough updates are queued to prepare the next group now (true).</summary>
    private bool WaitForCommitOrWork(SqliteCommitStage commitStage)
    {
        while (true)
        {
            _wake.Reset();
            if (commitStage.IsDone)
            {
                return false;
            }

            if (_queue.QueuedUpdates >= _pipelineAfterUpdates)
            {
                return true;
            }

            _wake.Wait();
        }
    }

    /// <summary>
    /// Waits for the commit in flight and settles it. Returns true when the group committed on the
    /// state it was first prepared on; false when the stage discarded its uncommitted state on the
    /// way (a failed commit, or a stale state that made it prepare and commit the group again), so a
    /// group prepared meanwhile has to be prepared again.
    /// </summary>
    private bool FinishInFlight(SqliteCommitStage commitStage, SqliteCommitStage.InFlight inFlight)
    {
        var kept = true;
        while (true)
        {
            var outcome = commitStage.WaitDone();
            switch (outcome)
            {
                case SqliteCommitStage.Outcome.Committed:
                    _stage.Committed(inFlight.Prepared);
                    return kept;
                case SqliteCommitStage.Outcome.Failed:
                    // The commit stage has failed the callers already.
                    _stage.Discard();
                    return false;
                case SqliteCommitStage.Outcome.Refused:
                    // SQLite refused the group's data: nobody is completed yet; find the updates at fault.
                    _stage.Discard();
                    Isolate(inFlight.Group, inFlight.Refusal!);
                    return false;
                default:
                    // Stale: nothing was written and nobody completed; prepare again on what is stored now.
                    _stage.Discard();
                    kept = false;
                    if (TryPrepare(inFlight.Group, out var failure) is not { } again)
                    {
                        FailOrIsolate(inFlight.Group, failure!);
                        return false;
                    }

                    inFlight.Prepared = again;
                    commitStage.Start(inFlight);
                    break;
            }
        }
    }

    /// <summary>Prepares a group; when preparing throws, returns null and the exception.</summary>
    private SqlitePreparedGroup? TryPrepare(CommitGroup group, out Exception? failure)
    {
        try
        {
            failure = null;
            return _stage.Prepare(group.Batches, group.UpdateCount);
        }
        catch (Exception exception)
        {
            failure = exception;
            return null;
        }
    }

    private void FailOrIsolate(CommitGroup group, Exception failure)
    {
        if (SqliteWriteStage.IsCausedByUpdates(failure))
        {
            Isolate(group, failure);
        }
        else
        {
            group.Fail(failure);
        }
    }

    /// <summary>Isolates a refused group on this thread; the commit stage is idle meanwhile.</summary>
    private void Isolate(CommitGroup group, Exception refusal) =>
        group.IsolateAsync(CommitNow, SqliteWriteStage.IsCausedByUpdates, refusal).GetAwaiter().GetResult();

    /// <summary>
    /// Prepares and commits a part of an isolated group on this thread, synchronously; throws when
    /// nothing of it was stored, having forgotten the state a failed commit was prepared on.
    /// </summary>
    private Task<ApplyResult[][]> CommitNow(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount)
    {
        while (true)
        {
            var prepared = _stage.Prepare(batches, updateCount);
            bool committed;
            try
            {
                committed = _stage.Commit(prepared);
            }
            catch
            {
                _stage.Discard();
                throw;
            }

            if (!committed)
            {
                // Stale: prepare the part again on what is stored now.
                _stage.Discard();
                continue;
            }

            _stage.Committed(prepared);
            return Task.FromResult(prepared.Results);
        }
    }

    private bool WaitToRead()
    {
        var wait = _queue.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }
}
