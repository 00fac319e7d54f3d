using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>One row of the change log of a prepared group, serialised.</summary>
internal readonly record struct SqlitePreparedChange(ProfileKey Key, long Time, long Received, string Source, ProfileChangeText Text)
{
    public static SqlitePreparedChange From(ProfileChange change) =>
        new(change.Key, change.TimeMs, change.ReceivedMs, change.Update.Source, ProfileChangeText.From(change));
}
