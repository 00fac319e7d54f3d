using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http.Webhooks;

/// <summary>How webhooks are delivered (section <c>WebhookDelivery</c>), for every webhook.</summary>
public sealed class WebhookDeliveryOptions
{
    public const string Section = "WebhookDelivery";

    /// <summary>The wait before the first retry of a failed delivery; each further retry waits twice as long, up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a node that does not hold the delivery lease (PostgreSQL, several nodes) tries to take it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromSeconds(10);
}
