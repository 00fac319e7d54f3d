using System.Text.Json.Nodes;

namespace OpenEngage.Storage;

/// <summary>A profile's committed state as a <see cref="WorkingSet"/> loads it.</summary>
/// <param name="Properties">The properties; null when the profile does not exist.</param>
/// <param name="Latest">The time (Unix ms) of the newest record in its log; <see cref="long.MinValue"/> when none is kept.</param>
public readonly record struct ProfileState(JsonObject? Properties, long Latest)
{
    public static ProfileState Missing => new(null, long.MinValue);
}
