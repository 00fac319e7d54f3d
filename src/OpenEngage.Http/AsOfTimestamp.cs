using System.Globalization;

namespace OpenEngage.Http;

/// <summary>
/// The Query API's <c>as_of_timestamp</c> (Unix seconds, Mixpanel's parameter): answer the profiles
/// as they were then. It reaches back as far as the property history does; further back, or with
/// history off, the request is refused with 400 saying how far it can go.
/// </summary>
public static class AsOfTimestamp
{
    public const string Name = "as_of_timestamp";

    /// <summary>The time asked for, or null when the parameter is absent or empty.</summary>
    /// <param name="oldest">The oldest reachable time; null when history is off.</param>
    public static DateTimeOffset? Read(IReadOnlyDictionary<string, string> parameters, DateTimeOffset now, DateTimeOffset? oldest)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.TryGetValue(Name, out var text) || text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > now.ToUnixTimeSeconds() + 1)
        {
            throw new WireError(400, $"{Name} must be a time in Unix seconds, not in the future (got \"{text}\")");
        }

        if (oldest is not { } reachable)
        {
            throw new WireError(400, $"{Name} needs the property history, which is off on this server (History:RetentionDays is 0)");
        }

        var asOf = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (asOf < reachable)
        {
            throw new WireError(400, string.Create(CultureInfo.InvariantCulture,
                $"{Name} can go back as far as the history is kept: to {reachable.ToUnixTimeSeconds()} ({reachable.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}), not to {seconds}"));
        }

        return asOf;
    }
}
