namespace OpenEngage.Http.Webhooks;

/// <summary>Where a new webhook starts in the change feed.</summary>
public enum WebhookStart
{
    /// <summary>At the end of the feed when the webhook is first started: only later changes are delivered.</summary>
    Latest,

    /// <summary>At the oldest change the change log keeps.</summary>
    Oldest,
}
