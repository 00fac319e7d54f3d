using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// Commits some profile updates in one transaction and returns their results: one array per batch,
/// in batch order, each holding one result per update. Throws when nothing was stored.
/// </summary>
/// <param name="batches">The batches, in queue order.</param>
/// <param name="updateCount">The number of updates across all batches.</param>
public delegate Task<ApplyResult[][]> CommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount);
