using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A profile of a <see cref="WorkingSet"/>: its state after the group's updates, and what to write.</summary>
/// <param name="Key">The profile.</param>
/// <param name="Current">The properties after the group's updates; null when the profile does not exist (or was deleted).</param>
/// <param name="Stored">True when the profile exists in the database.</param>
/// <param name="Dirty">True when <paramref name="Current"/> differs from the database: the profile is to be written (or deleted).</param>
public readonly record struct WorkingProfile(ProfileKey Key, JsonObject? Current, bool Stored, bool Dirty);
