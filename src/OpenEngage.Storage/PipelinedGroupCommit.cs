using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A group whose results are computed and whose writes are ready, but not yet committed.</summary>
/// <param name="results">One array per batch of the group, in batch order, each holding one result per update.</param>
public abstract class PreparedGroup(ApplyResult[][] results)
{
    public ApplyResult[][] Results { get; } = results;
}

/// <summary>
/// A backend whose group commit runs in two stages on two threads
/// (<see cref="GroupCommitQueue.StartPipelined"/>): preparing a group (reading and applying) on one,
/// writing and committing the previous group on the other.
/// </summary>
/// <typeparam name="TPrepared">What preparing hands to committing.</typeparam>
public interface IPipelinedGroupCommit<TPrepared>
    where TPrepared : PreparedGroup
{
    /// <summary>
    /// First stage: computes the group's results and writes on top of the committed state and of
    /// the group being committed, if any. Throwing fails every batch of the group (or isolates it,
    /// see <see cref="IsCausedByUpdates"/>) and must leave the backend's state as it was.
    /// </summary>
    TPrepared Prepare(IReadOnlyList<IReadOnlyList<ProfileUpdate>> batches, int updateCount);

    /// <summary>
    /// Second stage: writes and commits a prepared group in one transaction. Returns false, having
    /// written nothing, when the state it was prepared on is stale (another writer committed
    /// since); the group is then prepared again. Throwing fails every batch of the group (or isolates
    /// it, see <see cref="IsCausedByUpdates"/>).
    /// </summary>
    bool Commit(TPrepared prepared);

    /// <summary>First stage, after <see cref="Commit"/> of <paramref name="prepared"/> succeeded.</summary>
    void Committed(TPrepared prepared);

    /// <summary>
    /// First stage, after a commit failed or was stale: forget every state that is not committed,
    /// so the next group is prepared from what is stored.
    /// </summary>
    void Discard();

    /// <summary>
    /// Whether an exception of <see cref="Prepare"/> or <see cref="Commit"/> was caused by the
    /// group's updates (the database refused their data, e.g. a constraint) and left nothing
    /// stored, rather than by the store itself (I/O, a full disk, a lost connection). Such a group
    /// is committed again in smaller parts to find the updates at fault; called on either stage.
    /// </summary>
    bool IsCausedByUpdates(Exception exception);
}
