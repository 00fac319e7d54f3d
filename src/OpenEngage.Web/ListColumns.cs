using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OpenEngage.Web;

/// <summary>
/// The property columns of the list besides the profile itself: the defaults, or the user's choice,
/// which the browser remembers in a cookie (one for user profiles, one for group profiles).
/// </summary>
public static class ListColumns
{
    public const int MaxColumns = 30;

    public static readonly IReadOnlyList<string> UserDefaults = ["$email", "$city", "$country_code", "$last_seen"];

    public static readonly IReadOnlyList<string> GroupDefaults = ["$last_seen"];

    public static IReadOnlyList<string> Defaults(string groupKey) => groupKey.Length == 0 ? UserDefaults : GroupDefaults;

    public static string CookieName(string groupKey) => groupKey.Length == 0 ? "openengage_columns" : "openengage_group_columns";

    /// <summary>The columns the browser remembered, or the defaults.</summary>
    public static IReadOnlyList<string> From(HttpRequest request, string groupKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Cookies.TryGetValue(CookieName(groupKey), out var text))
        {
            try
            {
                if (JsonSerializer.Deserialize<List<string>>(text) is { } chosen)
                {
                    return [.. chosen.Where(name => !string.IsNullOrEmpty(name)).Distinct(StringComparer.Ordinal).Take(MaxColumns)];
                }
            }
            catch (JsonException)
            {
            }
        }

        return Defaults(groupKey);
    }

    public static void Remember(HttpResponse response, string groupKey, IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(response);
        var chosen = columns.Where(name => !string.IsNullOrEmpty(name)).Distinct(StringComparer.Ordinal).Take(MaxColumns).ToList();
        response.Cookies.Append(CookieName(groupKey), JsonSerializer.Serialize(chosen), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(365),
            Path = "/",
        });
    }

    /// <summary>The columns of a CSV export: the distinct id, <c>$name</c>, then the list's columns.</summary>
    public static IReadOnlyList<string> ForExport(IReadOnlyList<string> columns) =>
        [.. new[] { "$name" }.Concat(columns).Distinct(StringComparer.Ordinal)];
}
