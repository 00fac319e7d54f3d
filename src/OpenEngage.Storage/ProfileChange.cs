using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// One row of the change log, as a <see cref="WorkingSet"/> records it: the update that changed a
/// profile and what it changed. For a late record that re-folded the profile, the net effect on
/// the stored profile.
/// </summary>
/// <param name="Update">The applied update.</param>
/// <param name="Diff">What changed; never of kind <see cref="ProfileDiffKind.None"/>.</param>
public sealed record ProfileChange(ProfileUpdate Update, ProfileDiff Diff)
{
    public ProfileKey Key => Update.Key;

    /// <summary>True when the update deleted the profile.</summary>
    public bool IsDelete => Diff.Kind == ProfileDiffKind.Delete;

    /// <summary>The update's <c>$time</c>, Unix milliseconds.</summary>
    public long TimeMs => Update.Time.ToUnixTimeMilliseconds();

    /// <summary>When the update arrived, Unix milliseconds.</summary>
    public long ReceivedMs => Update.ReceivedMs;
}
