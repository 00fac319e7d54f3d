namespace OpenEngage.Storage;

/// <summary>The outcome of <see cref="IStoreReadiness.ProbeAsync"/>: whether the store takes writes, and what was found.</summary>
/// <param name="IsWritable">True when the storage is reachable and accepts writes.</param>
/// <param name="Detail">What was probed, or why it failed, for operators (no secrets).</param>
public sealed record StoreProbeResult(bool IsWritable, string Detail);
