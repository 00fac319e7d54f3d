using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>One queued batch of <see cref="GroupCommitQueue"/> and its waiting caller.</summary>
internal sealed class WriteRequest(IReadOnlyList<ProfileUpdate> updates)
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
