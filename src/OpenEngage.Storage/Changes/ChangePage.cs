namespace OpenEngage.Storage;

/// <summary>
/// Changes read from the feed in order, and the position to read after next time: the last
/// change's position, or the position read after when there were none.
/// </summary>
public sealed record ChangePage(IReadOnlyList<FeedChange> Changes, ChangePosition Next);
