using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The log rows of one profile of a prepared group: where they are in the group's one array of log
/// rows (<see cref="SqlitePreparedGroup.LogRows"/>), the chain's rows first, then the feed-only rows.
/// </summary>
/// <param name="RewriteAfter">When set, the stored rows after this time (Unix ms) leave the chain first: the chain's rows replace them.</param>
/// <param name="Start">The index of the profile's first row in the group's array.</param>
/// <param name="ChainRows">How many rows are appended to the profile's chain, in time order.</param>
/// <param name="FeedOnlyRows">How many change-feed rows of a profile a late record re-folded follow them, in apply order, on no chain.</param>
internal readonly record struct SqlitePreparedLog(long? RewriteAfter, int Start, int ChainRows, int FeedOnlyRows)
{
    /// <summary>
    /// Adds the rows of a profile of the working set to <paramref name="rows"/>. In order, each row
    /// that changed the profile is also its change-feed row. Once a late record re-folded the
    /// profile, the chain's rows no longer say what a consumer of the feed saw happen: they stay off
    /// the feed, and the group's changes of the profile (<paramref name="changes"/>, in apply order,
    /// the late record's as its net effect) are feed-only rows.
    /// </summary>
    public static SqlitePreparedLog Add(List<SqlitePreparedLogRow> rows, WorkingProfile profile, IReadOnlyList<ProfileChange>? changes, Utf8TextArena texts)
    {
        var start = rows.Count;
        var refolded = profile.RewriteAfter is not null;
        foreach (var record in profile.Log)
        {
            var role = refolded || record.Diff.Kind == ProfileDiffKind.None ? SqliteLogRowRole.HistoryOnly : SqliteLogRowRole.HistoryAndFeed;
            rows.Add(Row(record.Update, record.TimeMs, record.Diff, role, texts));
        }

        var feedOnly = refolded ? changes?.Count ?? 0 : 0;
        for (var i = 0; i < feedOnly; i++)
        {
            var change = changes![i];
            rows.Add(Row(change.Update, change.TimeMs, change.Diff, SqliteLogRowRole.FeedOnly, texts));
        }

        return new SqlitePreparedLog(profile.RewriteAfter, start, profile.Log.Count, feedOnly);
    }

    private static SqlitePreparedLogRow Row(ProfileUpdate update, long time, ProfileDiff diff, SqliteLogRowRole role, Utf8TextArena texts) => new(
        time,
        update.ReceivedMs,
        update.Source,
        update.Credential,
        diff.KindName,
        diff.ToUtf8Json(texts),
        ProfileUpdateJson.SerializeToUtf8(update, texts),
        role);
}
