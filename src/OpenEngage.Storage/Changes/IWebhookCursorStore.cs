namespace OpenEngage.Storage;

/// <summary>
/// Where webhook delivery keeps each webhook's position in the change feed, durably, and which
/// node delivers: with several nodes on one database only the holder of the lease does.
/// </summary>
public interface IWebhookCursorStore
{
    /// <summary>The delivery lease, or null while another node holds it (try again later).</summary>
    Task<IWebhookDeliveryLease?> TryAcquireWebhookLeaseAsync(CancellationToken cancellationToken = default);
}
