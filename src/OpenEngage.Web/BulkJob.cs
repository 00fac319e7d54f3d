namespace OpenEngage.Web;

/// <summary>
/// One bulk change running in the background: its progress can be read at any time and it can be
/// cancelled between two batches (a batch given to the store is always applied whole).
/// </summary>
public sealed class BulkJob
{
    private readonly CancellationTokenSource _cancel = new();
    private long _total = -1;
    private long _done;
    private long _failed;
    private volatile string _state = "counting";

    public BulkJob(string projectId, string description, string returnUrl)
    {
        ProjectId = projectId;
        Description = description;
        ReturnUrl = returnUrl;
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public string ProjectId { get; }

    public string Description { get; }

    /// <summary>The list the job was started from.</summary>
    public string ReturnUrl { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>The number of matching profiles; -1 while they are being found.</summary>
    public long Total => Interlocked.Read(ref _total);

    public long Done => Interlocked.Read(ref _done);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>counting, running, finished, cancelled or failed.</summary>
    public string State => _state;

    public bool IsOver => State is "finished" or "cancelled" or "failed";

    /// <summary>The first refusal or the error that stopped the job.</summary>
    public string? Message { get; private set; }

    public CancellationToken CancellationToken => _cancel.Token;

    public void Cancel() => _cancel.Cancel();

    internal void Counted(long total)
    {
        Interlocked.Exchange(ref _total, total);
        _state = "running";
    }

    internal void Progress(long applied, long failed, string? firstFailure)
    {
        Interlocked.Add(ref _done, applied + failed);
        Interlocked.Add(ref _failed, failed);
        Message ??= firstFailure;
    }

    internal void Finish(string state, string? message = null)
    {
        Message = message ?? Message;
        FinishedAt = DateTimeOffset.UtcNow;
        _state = state;
    }
}
