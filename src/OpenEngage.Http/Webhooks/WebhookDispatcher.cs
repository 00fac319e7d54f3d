using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEngage.Storage;

namespace OpenEngage.Http.Webhooks;

/// <summary>
/// Runs the configured webhooks while this node holds the delivery lease (always on the embedded
/// store; with several nodes on PostgreSQL, the one holding the advisory lock). When a webhook
/// fails for a reason other than its receiver (the store could not be read or written, the lease
/// was lost), every webhook stops, the lease is given up, and the node tries again after
/// <see cref="WebhookDeliveryOptions.LeaseRetryInterval"/>, resuming from the recorded positions.
/// </summary>
public sealed partial class WebhookDispatcher(
    IOptions<WebhookList> webhooks,
    IOptions<WebhookDeliveryOptions> delivery,
    IOptions<HistoryOptions> retention,
    WebhookListValidation projects,
    IProfileStore store,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configured = webhooks.Value.Webhooks;
        if (configured.Count == 0)
        {
            return;
        }

        if (!retention.Value.Enabled || store is not (IChangeFeed feed and IWebhookCursorStore cursors))
        {
            LogFeedOff(logger, configured.Count);
            return;
        }

        var options = delivery.Value;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("OpenEngage-Webhooks/1");

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await cursors.TryAcquireWebhookLeaseAsync(stoppingToken).ConfigureAwait(false);
                if (lease is not null)
                {
                    LogLeaseTaken(logger, configured.Count);
                    await RunAllAsync(lease, feed, http, options, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                LogDeliveryStopped(logger, error, options.LeaseRetryInterval.TotalSeconds);
            }

            try
            {
                await Task.Delay(options.LeaseRetryInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Every webhook until the service stops or one of them fails; then the others are stopped too and the failure thrown.</summary>
    private async Task RunAllAsync(IWebhookDeliveryLease lease, IChangeFeed feed, HttpClient http, WebhookDeliveryOptions options, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = webhooks.Value.Webhooks.Select(webhook => Task.Run(async () =>
        {
            try
            {
                var worker = new WebhookWorker(webhook, projects.ProjectId(webhook.Project)!, feed, store, http, options, time, logger);
                await worker.RunAsync(lease, stop.Token).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None)).ToArray();

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // One failed and stopped the others: report the failure, not the stops.
            throw running.Select(task => task.Exception?.InnerException).FirstOrDefault(error => error is not null and not OperationCanceledException)
                ?? new InvalidOperationException("webhook delivery stopped");
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning,
        Message = "{Count} webhooks are configured but the change feed is off (History:RetentionDays is 0): nothing is delivered")]
    private static partial void LogFeedOff(ILogger logger, int count);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "This node delivers the {Count} configured webhooks")]
    private static partial void LogLeaseTaken(ILogger logger, int count);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Error,
        Message = "Webhook delivery stopped: the change feed or the delivery positions could not be read or written; trying again in {RetrySeconds} s from the recorded positions")]
    private static partial void LogDeliveryStopped(ILogger logger, Exception error, double retrySeconds);
}
