using OpenEngage.Profiles;

namespace OpenEngage.Storage.Identity;

/// <summary>
/// What the change log and the property history record for one profile a merge changed: the row of
/// <c>profile_changes</c> (<see cref="Change"/>) and the row of <c>profile_history</c> (the diff and the
/// record that, applied again, has the merge's effect).
/// </summary>
public sealed record MergeLogEntry(ProfileKey Key, long Time, ProfileChangeText Change, string DiffKind, string DiffJson, string Record)
{
    public string Source => IdentityChangeSources.Merge;
}
