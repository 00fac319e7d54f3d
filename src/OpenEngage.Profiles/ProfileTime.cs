using System.Globalization;

namespace OpenEngage.Profiles;

/// <summary>The format of <c>$created</c> and <c>$last_seen</c>: <c>YYYY-MM-DDTHH:MM:SS</c> in UTC.</summary>
public static class ProfileTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
