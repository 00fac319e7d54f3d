using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpenEngage.Http.RateLimiting;

/// <summary>
/// Bounds the Query API requests each project has in progress: <see cref="RateLimitingOptions.QueryConcurrency"/>
/// run, up to <see cref="RateLimitingOptions.QueryQueueLimit"/> wait in arrival order for at most
/// <see cref="RateLimitingOptions.QueryQueueSeconds"/>, the rest are refused.
/// </summary>
public sealed class QueryConcurrencyLimiter : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrencyLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrencyLimiterOptions? _options;
    private readonly TimeSpan _queueTimeout;

    public QueryConcurrencyLimiter(IOptions<RateLimitingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _queueTimeout = TimeSpan.FromSeconds(settings.QueryQueueSeconds);
        if (settings.QueryConcurrency > 0)
        {
            _options = new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.QueryConcurrency,
                QueueLimit = settings.QueryQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            };
        }
    }

    /// <summary>
    /// Waits for a turn of <paramref name="project"/>; the returned lease ends it (and records the
    /// query's duration) when disposed. Null when the project's queue is full or the wait timed out.
    /// </summary>
    public async Task<IDisposable?> AcquireAsync(string project, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_options is null)
        {
            return new Turn(null, started);
        }

        var limiter = _limiters.GetOrAdd(project, static (_, options) => new ConcurrencyLimiter(options), _options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_queueTimeout);
        RateLimitLease lease;
        try
        {
            lease = await limiter.AcquireAsync(1, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }

        return new Turn(lease, started);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private sealed class Turn(RateLimitLease? lease, long started) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                HttpMetrics.QueryAnswered(started);
                lease?.Dispose();
            }
        }
    }
}
