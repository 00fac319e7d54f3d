using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>What one logged record changed in a profile, as <see cref="IProfileHistory.ReadChangesAfterAsync"/> reads it.</summary>
/// <param name="Id">The profile's distinct id (or group id).</param>
/// <param name="Diff">What the record changed: <see cref="ProfileDiff.Undo"/> takes the profile back to before it.</param>
public readonly record struct LoggedDiff(string Id, ProfileDiff Diff);
