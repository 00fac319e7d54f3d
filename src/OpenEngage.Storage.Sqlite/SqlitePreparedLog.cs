using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>The log rows of one profile of a prepared group, serialised.</summary>
/// <param name="RewriteAfter">When set, the stored rows after this time (Unix ms) leave the chain first: <paramref name="Rows"/> replaces them.</param>
/// <param name="Rows">The rows appended to the profile's chain, in time order.</param>
/// <param name="FeedOnly">The change-feed rows of a profile a late record re-folded, in apply order, on no chain.</param>
internal sealed record SqlitePreparedLog(ProfileKey Key, long? RewriteAfter, SqlitePreparedLogRow[] Rows, SqlitePreparedLogRow[] FeedOnly)
{
    /// <summary>
    /// The rows of a profile of the working set. In order, each row that changed the profile is also
    /// its change-feed row. Once a late record re-folded the profile, the chain's rows no longer say
    /// what a consumer of the feed saw happen: they stay off the feed, and the group's changes of the
    /// profile (<paramref name="changes"/>, in apply order, the late record's as its net effect) are
    /// feed-only rows.
    /// </summary>
    public static SqlitePreparedLog From(WorkingProfile profile, IReadOnlyList<ProfileChange>? changes, Utf8TextArena texts)
    {
        var refolded = profile.RewriteAfter is not null;
        var rows = new SqlitePreparedLogRow[profile.Log.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var record = profile.Log[i];
            var role = refolded || record.Diff.Kind == ProfileDiffKind.None ? SqliteLogRowRole.HistoryOnly : SqliteLogRowRole.HistoryAndFeed;
            rows[i] = Row(record.Update, record.TimeMs, record.Diff, role, texts);
        }

        var feedOnly = new SqlitePreparedLogRow[refolded ? changes?.Count ?? 0 : 0];
        for (var i = 0; i < feedOnly.Length; i++)
        {
            var change = changes![i];
            feedOnly[i] = Row(change.Update, change.TimeMs, change.Diff, SqliteLogRowRole.FeedOnly, texts);
        }

        return new SqlitePreparedLog(profile.Key, profile.RewriteAfter, rows, feedOnly);
    }

    private static SqlitePreparedLogRow Row(ProfileUpdate update, long time, ProfileDiff diff, SqliteLogRowRole role, Utf8TextArena texts) => new(
        time,
        (update.ReceivedAt ?? update.Time).ToUnixTimeMilliseconds(),
        update.Source,
        update.Credential,
        diff.KindName,
        diff.ToUtf8Json(texts),
        ProfileUpdateJson.SerializeToUtf8(update, texts),
        role);
}
