namespace OpenEngage.Profiles;

/// <summary>One accepted record of a profile's record log and what applying it did (so it can be undone).</summary>
public sealed record LoggedRecord(ProfileUpdate Update, ProfileDiff Diff)
{
    /// <summary>The record's time, Unix milliseconds: the log's order.</summary>
    public long TimeMs => Update.Time.ToUnixTimeMilliseconds();
}
