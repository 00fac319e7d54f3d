using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>A profile of a prepared group: its new state and, when it changed, what to write.</summary>
/// <param name="Json">The serialised properties to upsert, as UTF-8 in the group's arena; null when the profile is to be deleted (or did not change).</param>
/// <param name="Latest">The time (Unix ms) of the newest record in the profile's log after the group.</param>
/// <param name="Log">Where the group's log rows for the profile are; null when it writes none (always with history off).</param>
/// <param name="Head">
/// Where the first stage found the head of the profile's history chain: none (the commit need not
/// read it), in its row, or in <c>log_heads</c> (moved into the profile's row if the group creates it).
/// </param>
internal readonly record struct SqlitePreparedRow(ProfileKey Key, JsonObject? Profile, ReadOnlyMemory<byte>? Json, bool Dirty, bool Stored, long Latest, SqlitePreparedLog? Log, SqliteChainHead Head)
{
    /// <summary>True when the group writes record-log rows for the profile.</summary>
    public bool Logged => Log is not null;

    /// <summary>True when the profile has a row in <c>profiles</c> once the group is committed.</summary>
    public bool ExistsAfter => Dirty ? Json is not null : Stored;
}
