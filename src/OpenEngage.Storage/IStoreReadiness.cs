namespace OpenEngage.Storage;

/// <summary>
/// What a store tells the readiness check (<c>GET /readyz</c>): whether its storage is reachable and
/// writable right now, and the state of its group commit writer and queue.
/// </summary>
public interface IStoreReadiness
{
    /// <summary>Whether the writer makes progress.</summary>
    GroupCommitHealth WriterHealth { get; }

    /// <summary>Batches queued for the writer; callers wait once <see cref="GroupCommitQueue.Capacity"/> are queued.</summary>
    int QueuedBatches { get; }

    /// <summary>Probes the storage without changing any profile: reachable, and accepting writes.</summary>
    Task<StoreProbeResult> ProbeAsync(CancellationToken cancellationToken = default);
}
