using System.Globalization;
using Microsoft.Extensions.Options;
using OpenEngage.Storage;

namespace OpenEngage.Http.Health;

/// <summary>
/// Decides whether the server is ready for traffic: the store is reachable and takes writes, its
/// writer is not stalled, and its queue is below its bound. Concurrent checks share one probe,
/// and a result is reused for a second, so a flood of <c>/readyz</c> costs the store little.
/// </summary>
public sealed class ReadinessCheck(IProfileStore store, IOptions<HealthOptions> options, TimeProvider time)
{
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<ReadinessReport>? _last;
    private long _lastStarted;

    public Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        Task<ReadinessReport> check;
        lock (_gate)
        {
            if (_last is null || (_last.IsCompleted && time.GetElapsedTime(_lastStarted) >= ReuseFor))
            {
                _lastStarted = time.GetTimestamp();
                _last = RunAsync();
            }

            check = _last;
        }

        return check.WaitAsync(cancellationToken);
    }

    private async Task<ReadinessReport> RunAsync()
    {
        var settings = options.Value;
        var checks = new Dictionary<string, ReadinessCheckResult>(StringComparer.Ordinal);
        if (store is not IStoreReadiness readiness)
        {
            checks["storage"] = new ReadinessCheckResult(true, "this store reports no readiness");
            return Report(checks);
        }

        checks["storage"] = await ProbeAsync(readiness, TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds)).ConfigureAwait(false);

        var stallAfter = TimeSpan.FromSeconds(settings.WriterStallSeconds);
        var committing = readiness.WriterHealth.CommitRunningFor;
        var waiting = readiness.WriterHealth.WaitingFor;
        checks["writer"] = committing >= stallAfter
            ? new ReadinessCheckResult(false, $"a commit has been running for {Seconds(committing)} s (Health:WriterStallSeconds is {Seconds(stallAfter)})")
            : waiting >= stallAfter
                ? new ReadinessCheckResult(false, $"queued updates have waited {Seconds(waiting)} s for the writer (Health:WriterStallSeconds is {Seconds(stallAfter)})")
                : new ReadinessCheckResult(true, "the writer makes progress");

        var queued = readiness.QueuedBatches;
        checks["queue"] = new ReadinessCheckResult(
            queued < GroupCommitQueue.Capacity,
            $"{queued.ToString(CultureInfo.InvariantCulture)} of {GroupCommitQueue.Capacity.ToString(CultureInfo.InvariantCulture)} batches queued");
        return Report(checks);
    }

    private static async Task<ReadinessCheckResult> ProbeAsync(IStoreReadiness readiness, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            var probe = await readiness.ProbeAsync(cancellation.Token).WaitAsync(cancellation.Token).ConfigureAwait(false);
            return new ReadinessCheckResult(probe.IsWritable, probe.Detail);
        }
        catch (OperationCanceledException)
        {
            return new ReadinessCheckResult(false, $"the storage did not answer within {Seconds(timeout)} s");
        }
    }

    private static ReadinessReport Report(Dictionary<string, ReadinessCheckResult> checks) =>
        new(checks.Values.All(check => check.Ok) ? "ready" : "not ready", checks);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
