namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The second stage of <see cref="SqlitePipelinedWriter"/>: a dedicated thread that commits one
/// prepared group at a time (<see cref="SqliteWriteStage.Commit"/>) and completes (or fails) its
/// callers as soon as the commit returned.
/// </summary>
internal sealed class SqliteCommitStage : IDisposable
{
    private readonly SqliteWriteStage _stage;
    private readonly ManualResetEventSlim _wake;
    private readonly GroupCommitHealth _health;
    private readonly ManualResetEventSlim _start = new(false, spinCount: 0);
    private readonly ManualResetEventSlim _done = new(true, spinCount: 0);
    private readonly Thread _thread;
    private InFlight? _current;
    private Outcome _outcome;
    private bool _stopping;

    /// <param name="wake">Set after each commit, to wake the first stage.</param>
    public SqliteCommitStage(SqliteWriteStage stage, ManualResetEventSlim wake, GroupCommitHealth health)
    {
        _stage = stage;
        _wake = wake;
        _health = health;
        _thread = new Thread(Run) { IsBackground = true, Name = "Group commit" };
        _thread.Start();
    }

    public enum Outcome
    {
        Committed,
        Failed,
        Stale,

        /// <summary>SQLite refused the group's data (<see cref="SqliteWriteStage.IsCausedByUpdates"/>); nothing was stored and nobody completed.</summary>
        Refused,
    }

    public bool IsDone => _done.IsSet;

    /// <summary>Hands a prepared group over; the previous one must be done.</summary>
    public void Start(InFlight inFlight)
    {
        _done.Reset();
        _current = inFlight;
        _start.Set();
    }

    public Outcome WaitDone()
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
                var committed = _stage.Commit(inFlight.Prepared);
                _health.CommitFinished(started, inFlight.Group.UpdateCount, committed ? true : null);
                if (committed)
                {
                    inFlight.Group.Complete(inFlight.Prepared.Results);
                    _outcome = Outcome.Committed;
                }
                else
                {
                    _outcome = Outcome.Stale;
                }
            }
            catch (Exception exception) when (SqliteWriteStage.IsCausedByUpdates(exception))
            {
                _health.CommitFinished(started, inFlight.Group.UpdateCount, succeeded: null);
                inFlight.Refusal = exception;
                _outcome = Outcome.Refused;
            }
            catch (Exception exception)
            {
                _health.CommitFinished(started, inFlight.Group.UpdateCount, succeeded: false);
                inFlight.Group.Fail(exception);
                _outcome = Outcome.Failed;
            }

            _current = null;
            _done.Set();
            _wake.Set();
        }
    }

    /// <summary>A prepared group handed to the commit stage, with the callers it completes.</summary>
    public sealed class InFlight(CommitGroup group, SqlitePreparedGroup prepared)
    {
        public CommitGroup Group { get; } = group;

        public SqlitePreparedGroup Prepared { get; set; } = prepared;

        /// <summary>Why SQLite refused the group, when the outcome is <see cref="Outcome.Refused"/>.</summary>
        public Exception? Refusal { get; set; }
    }
}
