using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>A profile of a prepared group: its new state and, when it changed, what to write.</summary>
/// <param name="Json">The serialised properties to upsert; null when the profile is to be deleted (or did not change).</param>
internal readonly record struct SqlitePreparedRow(ProfileKey Key, JsonObject? Profile, string? Json, bool Dirty, bool Stored);
