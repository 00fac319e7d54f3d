using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// One applied update that changed a profile, as a <see cref="WorkingSet"/> records it: the update
/// and the profile's state before and after it. The states are shared with the working set and
/// must not be modified.
/// </summary>
/// <param name="Update">The applied update.</param>
/// <param name="Before">The properties before the update; null when the profile did not exist.</param>
/// <param name="After">The properties after the update; null when the update deleted the profile.</param>
public sealed record ProfileChange(ProfileUpdate Update, JsonObject? Before, JsonObject? After)
{
    public ProfileKey Key => Update.Key;

    /// <summary>True when the update deleted the profile.</summary>
    public bool IsDelete => After is null;

    /// <summary>The update's <c>$time</c>, Unix milliseconds.</summary>
    public long TimeMs => Update.Time.ToUnixTimeMilliseconds();

    /// <summary>When the update arrived, Unix milliseconds.</summary>
    public long ReceivedMs => (Update.ReceivedAt ?? Update.Time).ToUnixTimeMilliseconds();
}
