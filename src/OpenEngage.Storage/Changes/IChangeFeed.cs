namespace OpenEngage.Storage;

/// <summary>
/// The change feed: the committed changes of the change log (<c>profile_changes</c>), in an order
/// that never changes once read. A reader that resumes after the last position it read sees every
/// later change exactly once, as long as those changes are inside the history retention.
/// </summary>
public interface IChangeFeed
{
    /// <summary>
    /// Up to <see cref="ChangeFeedQuery.Limit"/> changes after <see cref="ChangeFeedQuery.After"/>,
    /// in feed order. When there are none and <paramref name="wait"/> is positive, waits up to that
    /// long for changes to be committed and returns them as soon as they are readable.
    /// </summary>
    Task<ChangePage> ReadChangesAsync(ChangeFeedQuery query, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>
    /// A position after every change readable now: reading after it returns the changes that were
    /// not readable yet (on PostgreSQL that can include changes committed just before, which become
    /// readable once older write transactions of the cluster end), never one read before it.
    /// </summary>
    Task<ChangePosition> GetEndPositionAsync(CancellationToken cancellationToken = default);
}
