using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>One row of the change log of a prepared group, serialised (its JSON texts as UTF-8).</summary>
internal readonly record struct SqlitePreparedChange(ProfileKey Key, long Time, long Received, string Source, ProfileChangeUtf8 Text)
{
    public static SqlitePreparedChange From(ProfileChange change) =>
        new(change.Key, change.TimeMs, change.ReceivedMs, change.Update.Source, ProfileChangeText.Utf8From(change));
}
