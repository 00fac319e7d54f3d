namespace OpenEngage.Http;

/// <summary>
/// The server-wide budget of bytes that request bodies in flight may hold
/// (<see cref="IngestionLimitsOptions.MaxBufferedBodyBytes"/>). A body reserves room before it
/// grows its buffer and gives it back when the request is done.
/// </summary>
public sealed class BodyBufferBudget(long capacity)
{
    private readonly Lock _lock = new();
    private long _held;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Capacity { get; } = capacity;

    /// <summary>Bytes currently reserved.</summary>
    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/>, waiting up to <paramref name="wait"/> for other requests to
    /// give room back; false when there is still no room then.
    /// </summary>
    public async ValueTask<bool> TryReserveAsync(long bytes, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task released;
            lock (_lock)
            {
                if (_held + bytes <= Capacity)
                {
                    _held += bytes;
                    return true;
                }

                released = _released.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await released.WaitAsync(left, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    public void Release(long bytes)
    {
        TaskCompletionSource released;
        lock (_lock)
        {
            _held -= bytes;
            released = _released;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
    }
}
