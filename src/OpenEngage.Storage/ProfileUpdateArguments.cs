using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>The argument checks of <see cref="IProfileStore.ApplyAsync"/>, shared by the stores' entry points.</summary>
public static class ProfileUpdateArguments
{
    /// <summary>Throws unless <paramref name="updates"/> is a list of updates that each name a project.</summary>
    /// <exception cref="ArgumentNullException">The list is null.</exception>
    /// <exception cref="ArgumentException">An update is null or has no project.</exception>
    public static void ThrowIfInvalid(IReadOnlyList<ProfileUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            if (update?.Project is null)
            {
                throw new ArgumentException("Every update needs a project.", nameof(updates));
            }
        }
    }
}
