namespace OpenEngage.Storage;

/// <summary>
/// The right to deliver webhooks, held until disposed or until the store loses it (then its
/// methods throw, and the holder must stop delivering and acquire it again).
/// </summary>
public interface IWebhookDeliveryLease : IAsyncDisposable
{
    /// <summary>The position <paramref name="webhook"/> has delivered up to, or null for a webhook never seen.</summary>
    Task<ChangePosition?> GetCursorAsync(string webhook, CancellationToken cancellationToken = default);

    /// <summary>Records durably that <paramref name="webhook"/> has delivered everything up to <paramref name="position"/>.</summary>
    Task SaveCursorAsync(string webhook, ChangePosition position, CancellationToken cancellationToken = default);
}
