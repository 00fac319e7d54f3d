using System.Diagnostics.Metrics;

namespace OpenEngage.Http.Webhooks;

/// <summary>
/// Webhook delivery on the meter <c>OpenEngage.Http</c>: attempts by outcome (delivered, failed),
/// changes skipped by a webhook's filter, and the time one successful POST took.
/// </summary>
public static class WebhookMetrics
{
    private static readonly Meter Meter = new(HttpMetrics.MeterName);

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "openengage.webhook.deliveries",
        unit: "{delivery}",
        description: "Webhook POST attempts, by webhook and outcome (delivered: a 2xx answer; failed: anything else, retried with backoff).");

    private static readonly Counter<long> Skipped = Meter.CreateCounter<long>(
        "openengage.webhook.filtered",
        unit: "{change}",
        description: "Changes a webhook's Where or Properties filter left out.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "openengage.webhook.delivery.duration",
        unit: "s",
        description: "Time of one successful webhook POST.");

    public static void Delivered(string webhook, TimeSpan took)
    {
        Attempts.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("outcome", "delivered"));
        Duration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("webhook", webhook));
    }

    public static void Failed(string webhook) =>
        Attempts.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("outcome", "failed"));

    public static void Filtered(string webhook) =>
        Skipped.Add(1, new KeyValuePair<string, object?>("webhook", webhook));
}
