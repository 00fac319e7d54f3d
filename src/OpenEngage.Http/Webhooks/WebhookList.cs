namespace OpenEngage.Http.Webhooks;

/// <summary>The configured webhooks (<c>Webhooks:0</c>, <c>Webhooks:1</c>, …).</summary>
public sealed class WebhookList
{
    public const string Section = "Webhooks";

    public List<WebhookOptions> Webhooks { get; set; } = [];
}
