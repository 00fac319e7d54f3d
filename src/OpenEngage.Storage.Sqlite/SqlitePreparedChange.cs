using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>One applied update of a prepared group, serialised for the change log and the history.</summary>
internal readonly record struct SqlitePreparedChange(ProfileKey Key, long Time, long Received, string Source, string Credential, ProfileChangeText Text)
{
    public static SqlitePreparedChange From(ProfileChange change) =>
        new(change.Key, change.TimeMs, change.ReceivedMs, change.Update.Source, change.Update.Credential, ProfileChangeText.From(change));
}
