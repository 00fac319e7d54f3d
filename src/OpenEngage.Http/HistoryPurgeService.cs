using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// Keeps the change log and the property history within <c>History:RetentionDays</c>: shortly
/// after start and then every hour, deletes the rows that arrived before the retention window.
/// </summary>
public sealed partial class HistoryPurgeService(IProfileHistory history, TimeProvider time, ILogger<HistoryPurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMinutes(1);

    /// <summary>Deletes what is older than the retention window now; returns how many rows went.</summary>
    public async Task<long> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var days = history.History.RetentionDays;
        var cutoff = time.GetUtcNow().AddDays(-days);
        var removed = await history.PurgeHistoryAsync(cutoff, cancellationToken).ConfigureAwait(false);
        if (removed > 0)
        {
            LogPurged(logger, removed, days);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!history.History.Enabled)
        {
            return;
        }

        try
        {
            await Task.Delay(FirstDelay, time, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await PurgeOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogPurgeFailed(logger, error);
                }

                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "History retention: removed {Rows} change and history rows older than {Days} days")]
    private static partial void LogPurged(ILogger logger, long rows, int days);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "History retention: the purge failed; it is tried again in an hour")]
    private static partial void LogPurgeFailed(ILogger logger, Exception error);
}
