namespace OpenEngage.Storage;

/// <summary>
/// The long poll both stores share: read; when nothing is there, wait for this process's next
/// commit or <c>pollInterval</c> (changes committed by other processes, and on PostgreSQL changes
/// held back until older transactions end), whichever comes first, and read again until
/// <c>wait</c> has passed.
/// </summary>
public static class ChangeFeedReading
{
    public static async Task<ChangePage> ReadOrWaitAsync(
        Func<CancellationToken, Task<ChangePage>> read,
        ChangeSignal signal,
        TimeSpan wait,
        TimeSpan pollInterval,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetTimestamp() + (long)(Math.Max(0, wait.TotalSeconds) * time.TimestampFrequency);
        while (true)
        {
            var committed = signal.Next;
            var page = await read(cancellationToken).ConfigureAwait(false);
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (page.Changes.Count > 0 || left <= TimeSpan.Zero)
            {
                return page;
            }

            var nap = left < pollInterval ? left : pollInterval;
            try
            {
                await committed.WaitAsync(nap, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Poll again.
            }
        }
    }
}
