namespace OpenEngage.Storage;

/// <summary>
/// Tells waiting change-feed readers that this process committed something. A reader takes
/// <see cref="Next"/> BEFORE it reads, so a commit between its read and its wait is not missed.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every reader waiting on <see cref="Next"/>.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
