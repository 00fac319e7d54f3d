using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>A profile of a prepared group: its new state and, when it changed, what to write.</summary>
/// <param name="Json">The serialised properties to upsert, as UTF-8; null when the profile is to be deleted (or did not change).</param>
/// <param name="Latest">The time (Unix ms) of the newest record in the profile's log after the group.</param>
/// <param name="Logged">True when the group writes record-log rows for the profile.</param>
internal readonly record struct SqlitePreparedRow(ProfileKey Key, JsonObject? Profile, byte[]? Json, bool Dirty, bool Stored, long Latest, bool Logged);
