namespace OpenEngage.Http.Webhooks;

/// <summary>One webhook, from the configuration list <c>Webhooks</c>: where each change of a project is POSTed, signed.</summary>
public sealed class WebhookOptions
{
    /// <summary>The name its delivery position is kept under; defaults to <see cref="Url"/>. Renaming it starts the webhook afresh.</summary>
    public string? Name { get; set; }

    /// <summary>The absolute http(s) URL each change is POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>The key of the HMAC-SHA256 signature (<c>X-OpenEngage-Signature</c>).</summary>
    public string Secret { get; set; } = "";

    /// <summary>The project (its id or name) whose changes are delivered.</summary>
    public string Project { get; set; } = "";

    /// <summary>Group profiles of this group key instead of user profiles.</summary>
    public string? DataGroupId { get; set; }

    /// <summary>A where expression the profile must match to deliver its change (see docs/changes.md).</summary>
    public string? Where { get; set; }

    /// <summary>When given, only changes that set or remove one of these properties are delivered.</summary>
    public List<string> Properties { get; set; } = [];

    /// <summary>Where a webhook never seen before starts: <c>Latest</c> (changes committed from its first start on) or <c>Oldest</c> (every change the change log still keeps).</summary>
    public WebhookStart StartFrom { get; set; } = WebhookStart.Latest;

    public string EffectiveName => string.IsNullOrEmpty(Name) ? Url : Name;
}
