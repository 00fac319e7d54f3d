using System.Globalization;

namespace OpenEngage.Query;

/// <summary>
/// The ISO-8601 forms a string may take to compare as a datetime: a date (<c>2024-01-31</c>), or a
/// date and time separated by <c>T</c> or a space, with minutes, optional seconds and fraction, and
/// an optional <c>Z</c> or <c>±HH:MM</c> offset. Without an offset the time is UTC, as stored
/// profile times (<c>YYYY-MM-DDTHH:MM:SS</c>) are.
/// </summary>
public static class IsoDateTime
{
    private static readonly string[] Formats = BuildFormats();

    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text,
            Formats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out value);

    /// <summary>The stored profile form, <c>YYYY-MM-DDTHH:MM:SS</c> in UTC; a fraction of a second is kept when there is one.</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
    }

    private static string[] BuildFormats()
    {
        var formats = new List<string> { "yyyy-MM-dd" };
        foreach (var separator in new[] { "'T'", "' '" })
        {
            foreach (var time in new[] { "HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF" })
            {
                formats.Add("yyyy-MM-dd" + separator + time);
                formats.Add("yyyy-MM-dd" + separator + time + "zzz");
                formats.Add("yyyy-MM-dd" + separator + time + "'Z'");
            }
        }

        return [.. formats];
    }
}
