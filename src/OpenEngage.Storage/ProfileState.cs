using System.Text.Json.Nodes;

namespace OpenEngage.Storage;

/// <summary>A profile's committed state as a <see cref="WorkingSet"/> loads it.</summary>
/// <param name="Properties">The properties; null when the profile does not exist.</param>
/// <param name="Latest">The time (Unix ms) of the newest record in its log; <see cref="long.MinValue"/> when none is kept.</param>
public readonly record struct ProfileState(JsonObject? Properties, long Latest)
{
    /// <summary>
    /// True when <see cref="Properties"/> is a fresh object no one else holds (just read from the
    /// database), which the working set may change in place; false (the default) when it is shared
    /// (a cache's or an earlier group's), so the set copies it before its first change.
    /// </summary>
    public bool Owned { get; init; }

    public static ProfileState Missing => new(null, long.MinValue);
}
