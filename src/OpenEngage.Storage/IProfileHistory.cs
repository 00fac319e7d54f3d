using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The property history every store keeps with its profile writes (the record log, see
/// <see cref="WorkingSet"/>), and its retention.
/// </summary>
public interface IProfileHistory
{
    /// <summary>The retention settings the store records with.</summary>
    HistoryOptions History { get; }

    /// <summary>The logged records of one profile within <paramref name="query"/>'s time range, newest first (time, then commit order).</summary>
    IAsyncEnumerable<HistoryRecord> ReadHistoryAsync(HistoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every logged record of one project and kind with a time after <paramref name="afterMs"/>
    /// (Unix ms), one profile after another, newest first within a profile (time, then commit
    /// order): undone in that order (<see cref="ProfileDiff.Undo"/>), they take each profile's stored
    /// state back to what it was at that time. Profiles without such a record were as stored.
    /// </summary>
    IAsyncEnumerable<LoggedDiff> ReadChangesAfterAsync(string project, string groupKey, long afterMs, CancellationToken cancellationToken = default);

    /// <summary>Deletes the change-log and history rows that arrived before <paramref name="receivedBefore"/>; returns how many rows went.</summary>
    Task<long> PurgeHistoryAsync(DateTimeOffset receivedBefore, CancellationToken cancellationToken = default);

    /// <summary>Deletes every history row of the given profiles (a GDPR deletion): nothing of their past values stays.</summary>
    Task RemoveHistoryAsync(IReadOnlyList<ProfileKey> keys, CancellationToken cancellationToken = default);
}
