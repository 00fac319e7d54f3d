namespace OpenEngage.Http;

/// <summary>
/// The floor on how fast a body arrives, counted in decoded bytes: at least
/// <see cref="IngestionLimitsOptions.MinBodyBytesPerSecond"/> × the window in every window of
/// <see cref="IngestionLimitsOptions.BodyRateWindowSeconds"/>. Kestrel's own floor counts wire
/// bytes, which empty deflate blocks supply without end; this one cancels <see cref="Token"/>.
/// </summary>
internal sealed class BodyProgressWatchdog : IDisposable
{
    private readonly CancellationTokenSource _timer = new();
    private readonly TimeSpan _window;
    private readonly long _quota;
    private long _windowStart;

    public BodyProgressWatchdog(IngestionLimitsOptions limits)
    {
        _window = TimeSpan.FromSeconds(limits.BodyRateWindowSeconds);
        _quota = (long)limits.MinBodyBytesPerSecond * limits.BodyRateWindowSeconds;
        if (_quota > 0)
        {
            _timer.CancelAfter(_window);
        }
    }

    public CancellationToken Token => _timer.Token;

    /// <summary>True when a window passed without its quota of decoded bytes.</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public string Message => $"the body arrived too slowly: less than {_quota} decoded bytes in {_window.TotalSeconds:0} seconds";

    /// <summary>Reports <paramref name="decoded"/> bytes decoded so far; a met quota starts a new window.</summary>
    public void Progress(long decoded)
    {
        if (_quota > 0 && decoded - _windowStart >= _quota && !_timer.IsCancellationRequested)
        {
            _windowStart = decoded;
            _timer.CancelAfter(_window);
        }
    }

    public void Dispose() => _timer.Dispose();
}
