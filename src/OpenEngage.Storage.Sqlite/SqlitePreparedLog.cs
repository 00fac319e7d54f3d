using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>The record-log rows of one profile of a prepared group, serialised.</summary>
/// <param name="RewriteAfter">When set, the stored rows after this time (Unix ms) are deleted first: <paramref name="Rows"/> replaces them.</param>
internal sealed record SqlitePreparedLog(ProfileKey Key, long? RewriteAfter, SqlitePreparedLogRow[] Rows)
{
    public static SqlitePreparedLog From(WorkingProfile profile)
    {
        var rows = new SqlitePreparedLogRow[profile.Log.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var record = profile.Log[i];
            var update = record.Update;
            rows[i] = new SqlitePreparedLogRow(
                record.TimeMs,
                (update.ReceivedAt ?? update.Time).ToUnixTimeMilliseconds(),
                update.Source,
                update.Credential,
                record.Diff.KindName,
                record.Diff.ToUtf8Json(),
                ProfileUpdateJson.SerializeToUtf8(update));
        }

        return new SqlitePreparedLog(profile.Key, profile.RewriteAfter, rows);
    }
}
