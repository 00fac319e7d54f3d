using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>The argument checks of <see cref="IProfileStore.ApplyAsync"/>, shared by the stores' entry points.</summary>
public static class ProfileUpdateArguments
{
    /// <summary>Throws unless <paramref name="updates"/> is a list of updates each addressed to a profile (a key is required, but a default key names none).</summary>
    /// <exception cref="ArgumentNullException">The list is null.</exception>
    /// <exception cref="ArgumentException">An update is null or its key is the default.</exception>
    public static void ThrowIfInvalid(IReadOnlyList<ProfileUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            if (update?.Key.Project is null || update.Key.GroupKey is null || update.Key.Id is null)
            {
                throw new ArgumentException("Every update needs a profile key.", nameof(updates));
            }
        }
    }
}
