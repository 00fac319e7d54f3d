using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A profile of a <see cref="WorkingSet"/>: its state after the group's updates, and what to write.</summary>
/// <param name="Key">The profile.</param>
/// <param name="Current">The properties after the group's updates; null when the profile does not exist (or was deleted).</param>
/// <param name="Stored">True when the profile exists in the database.</param>
/// <param name="Dirty">True when <paramref name="Current"/> differs from the database: the profile is to be written (or deleted).</param>
public readonly record struct WorkingProfile(ProfileKey Key, JsonObject? Current, bool Stored, bool Dirty)
{
    /// <summary>The time (Unix ms) of the newest record in the profile's log after the group.</summary>
    public long Latest { get; init; } = long.MinValue;

    /// <summary>The record-log rows to write for the profile, in time order (empty when history is off).</summary>
    public IReadOnlyList<LoggedRecord> Log { get; init; } = [];

    /// <summary>
    /// When set, the stored log rows of the profile with a time after this (Unix ms) are replaced:
    /// a late record re-folded them, and <see cref="Log"/> holds them as applied again.
    /// </summary>
    public long? RewriteAfter { get; init; }
}
