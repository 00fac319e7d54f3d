using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenEngage.Http.Changes;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Http.Webhooks;

/// <summary>
/// Delivers one webhook: reads its project's changes after its durable position, POSTs each change
/// that passes its filters, retrying the same change with exponential backoff until the receiver
/// takes it (2xx), and records the position after each one. Changes are delivered one at a time,
/// in feed order, so a receiver that was down catches up in order. At least once: a change whose
/// POST succeeded but whose position was not yet recorded (the node stopped) is sent again, with
/// the same <c>X-OpenEngage-Delivery</c> id.
/// </summary>
internal sealed partial class WebhookWorker(
    WebhookOptions webhook,
    string project,
    IChangeFeed feed,
    IProfileStore store,
    HttpClient http,
    WebhookDeliveryOptions delivery,
    TimeProvider time,
    ILogger logger)
{
    private const int PageSize = 100;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WhereExpression? _where = string.IsNullOrWhiteSpace(webhook.Where) ? null : WhereExpression.Parse(webhook.Where);
    private readonly HashSet<string> _properties = new(webhook.Properties, StringComparer.Ordinal);
    private readonly string _name = webhook.EffectiveName;
    private readonly string _groupKey = webhook.DataGroupId ?? "";

    public async Task RunAsync(IWebhookDeliveryLease lease, CancellationToken cancellationToken)
    {
        var position = await lease.GetCursorAsync(_name, cancellationToken).ConfigureAwait(false);
        if (position is null)
        {
            position = webhook.StartFrom == WebhookStart.Oldest ? ChangePosition.Start : await feed.GetEndPositionAsync(cancellationToken).ConfigureAwait(false);
            await lease.SaveCursorAsync(_name, position.Value, cancellationToken).ConfigureAwait(false);
            LogStarted(logger, _name, project);
        }

        var after = position.Value;
        while (true)
        {
            var page = await feed.ReadChangesAsync(new ChangeFeedQuery(project, _groupKey, after, PageSize), Wait, cancellationToken).ConfigureAwait(false);
            var unsaved = false;
            foreach (var change in page.Changes)
            {
                if (await PassesAsync(change, cancellationToken).ConfigureAwait(false))
                {
                    await DeliverAsync(change, cancellationToken).ConfigureAwait(false);
                    await lease.SaveCursorAsync(_name, change.Position, cancellationToken).ConfigureAwait(false);
                    unsaved = false;
                }
                else
                {
                    WebhookMetrics.Filtered(_name);
                    unsaved = true;
                }

                after = change.Position;
            }

            if (unsaved)
            {
                await lease.SaveCursorAsync(_name, after, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Properties: an upsert must set or remove one of them (a deletion removes them all). Where:
    /// evaluated on the profile as stored when the change is delivered; a deletion is always
    /// delivered, as the state it removed is gone.
    /// </summary>
    private async Task<bool> PassesAsync(FeedChange change, CancellationToken cancellationToken)
    {
        if (change.Kind == FeedChange.Delete)
        {
            return true;
        }

        if (_properties.Count > 0 && !TouchesAny(change))
        {
            return false;
        }

        if (_where is null)
        {
            return true;
        }

        var profile = await store.GetAsync(change.Key, cancellationToken).ConfigureAwait(false);
        return profile is not null && _where.Matches(profile.Properties, time.GetUtcNow());
    }

    private bool TouchesAny(FeedChange change)
    {
        using (var changed = JsonDocument.Parse(change.ChangedJson))
        {
            foreach (var property in changed.RootElement.EnumerateObject())
            {
                if (_properties.Contains(property.Name))
                {
                    return true;
                }
            }
        }

        using var removed = JsonDocument.Parse(change.RemovedJson);
        foreach (var name in removed.RootElement.EnumerateArray())
        {
            if (name.ValueKind == JsonValueKind.String && _properties.Contains(name.GetString()!))
            {
                return true;
            }
        }

        return false;
    }

    private async Task DeliverAsync(FeedChange change, CancellationToken cancellationToken)
    {
        var cursor = new ChangeCursor(change.Position, change.Received).ToString();
        var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body, WriterOptions))
        {
            ChangeJson.Write(writer, change, cursor, project);
        }

        var bytes = body.ToArray();
        var backoff = delivery.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, timestamp, bytes));
            request.Headers.Add(WebhookSignature.DeliveryHeader, cursor);
            request.Headers.Add(WebhookSignature.WebhookHeader, _name);

            string failure;
            var started = Stopwatch.GetTimestamp();
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(delivery.Timeout);
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        WebhookMetrics.Delivered(_name, Stopwatch.GetElapsedTime(started));
                        return;
                    }

                    failure = $"HTTP {(int)response.StatusCode}";
                }
                catch (HttpRequestException error)
                {
                    failure = error.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {delivery.Timeout.TotalSeconds:0.###} s";
                }
            }

            WebhookMetrics.Failed(_name);
            LogDeliveryFailed(logger, _name, cursor, attempt, failure, backoff.TotalSeconds);
            await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, delivery.MaxBackoff.Ticks));
        }
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "Webhook {Webhook} of project {Project} starts delivering")]
    private static partial void LogStarted(ILogger logger, string webhook, string project);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning,
        Message = "Webhook {Webhook}: delivery {Delivery} failed (attempt {Attempt}: {Failure}); retrying in {BackoffSeconds} s, later changes wait for it")]
    private static partial void LogDeliveryFailed(ILogger logger, string webhook, string delivery, int attempt, string failure, double backoffSeconds);
}
