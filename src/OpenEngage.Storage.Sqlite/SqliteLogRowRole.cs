namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// What a row of <c>profile_history</c> serves, stored in its <c>feed</c> column: the profile's
/// history (its chain), the change feed (the view <c>profile_changes</c>), or both.
/// </summary>
internal enum SqliteLogRowRole
{
    /// <summary>On its profile's chain only: a record that changed nothing, or one a late record re-folded.</summary>
    HistoryOnly = 0,

    /// <summary>On its profile's chain and in the change feed: a record applied in order that changed the profile.</summary>
    HistoryAndFeed = 1,

    /// <summary>
    /// In the change feed only, on no chain: a late record's net effect, a row a late record took off
    /// its chain, a privacy deletion's notice.
    /// </summary>
    FeedOnly = 2,
}
