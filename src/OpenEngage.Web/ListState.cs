using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using OpenEngage.Query;

namespace OpenEngage.Web;

/// <summary>
/// The state of the profile list, as it lives in the page's URL: the query API's parameters
/// (<c>where</c>, <c>sort_key</c>, <c>sort_order</c>, <c>page</c>, <c>page_size</c>,
/// <c>data_group_id</c>) with its syntax, and the quick search <c>q</c>.
/// </summary>
public sealed record ListState
{
    public const int DefaultPageSize = 50;

    public const int MaxPageSize = 1000;

    public string Where { get; init; } = "";

    /// <summary>The property the list is ordered by; null for distinct id order.</summary>
    public string? SortProperty { get; init; }

    public bool Descending { get; init; }

    /// <summary>The page, from 0 as in the query API.</summary>
    public int Page { get; init; }

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The group key whose profiles are listed; empty for user profiles.</summary>
    public string GroupKey { get; init; } = "";

    /// <summary>Quick search: case-insensitive text in the distinct id, <c>$name</c> or <c>$email</c>.</summary>
    public string Search { get; init; } = "";

    /// <summary>The time the list shows the profiles as of (the Query API's <c>as_of_timestamp</c>); null for now.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The <c>as_of_timestamp</c> parameter for <see cref="AsOf"/>.</summary>
    public string? AsOfTimestamp => AsOf?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The parsed <see cref="Where"/>; null when it is empty or did not parse.</summary>
    public WhereExpression? Filter { get; init; }

    /// <summary>The parser's error for <see cref="Where"/>.</summary>
    public WhereSyntaxException? WhereError { get; init; }

    /// <summary>Why a parameter other than <c>where</c> was refused (it was ignored).</summary>
    public string? ParameterError { get; init; }

    /// <summary>The <c>sort_key</c> parameter for <see cref="SortProperty"/>.</summary>
    public string? SortKey => SortProperty is null ? null : PropertyText(SortProperty);

    public static string PropertyText(string name) => $"properties[{WhereFormatter.Quote(name)}]";

    /// <summary>Reads the state from a URL query or a posted form.</summary>
    public static ListState From(IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var query = values.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        string? problem = null;
        var where = query.GetValueOrDefault("where").ToString();
        WhereExpression? filter = null;
        WhereSyntaxException? error = null;
        if (!string.IsNullOrWhiteSpace(where))
        {
            WhereExpression.TryParse(where, out filter, out error);
        }

        string? sortProperty = null;
        var sortText = query.GetValueOrDefault("sort_key").ToString();
        if (!string.IsNullOrWhiteSpace(sortText))
        {
            if (WhereExpression.TryParse(sortText, out var sortExpression, out _) && sortExpression!.Root is PropertyAccess property)
            {
                sortProperty = property.Name;
            }
            else
            {
                problem = "sort_key must name a property: properties[\"name\"]";
            }
        }

        var order = query.GetValueOrDefault("sort_order").ToString();
        var descending = order switch
        {
            "" => sortProperty is not null,
            "descending" => true,
            "ascending" => false,
            _ => false,
        };
        if (order is not ("" or "descending" or "ascending"))
        {
            problem = "sort_order must be ascending or descending";
        }

        return new ListState
        {
            Where = where,
            Filter = filter,
            WhereError = error,
            SortProperty = sortProperty,
            Descending = descending,
            Page = Integer(query.GetValueOrDefault("page").ToString(), 0, 0, int.MaxValue / MaxPageSize, ref problem, "page"),
            PageSize = Integer(query.GetValueOrDefault("page_size").ToString(), DefaultPageSize, 1, MaxPageSize, ref problem, "page_size"),
            GroupKey = query.GetValueOrDefault("data_group_id").ToString(),
            Search = query.GetValueOrDefault("q").ToString().Trim(),
            AsOf = AsOfParameter(query.GetValueOrDefault("as_of_timestamp").ToString(), query.GetValueOrDefault("as_of").ToString(), ref problem),
            ParameterError = problem,
        };
    }

    /// <summary>The URL of this state at <paramref name="path"/>, with only the parameters that differ from the defaults.</summary>
    public string Url(string path = "/")
    {
        var parameters = new List<KeyValuePair<string, string?>>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parameters.Add(new(name, value));
            }
        }

        Add("data_group_id", GroupKey);
        Add("where", Where);
        Add("q", Search);
        Add("sort_key", SortKey);
        Add("sort_order", SortProperty is null ? null : Descending ? "descending" : "ascending");
        Add("as_of_timestamp", AsOfTimestamp);
        Add("page", Page == 0 ? null : Page.ToString(CultureInfo.InvariantCulture));
        Add("page_size", PageSize == DefaultPageSize ? null : PageSize.ToString(CultureInfo.InvariantCulture));
        return path + QueryString.Create(parameters).ToUriComponent();
    }

    /// <summary>The query API URL that returns the same profiles (without the quick search, which the API does not have).</summary>
    public string ApiUrl() => (this with { Search = "", Page = Page, PageSize = PageSize }).Url("/api/query/engage");

    /// <summary>
    /// The list's time: <c>as_of_timestamp</c> in Unix seconds (the Query API's form) or <c>as_of</c>
    /// as the page's date and time field sends it (<c>yyyy-MM-ddTHH:mm</c>, UTC).
    /// </summary>
    private static DateTimeOffset? AsOfParameter(string seconds, string local, ref string? problem)
    {
        if (seconds.Length > 0)
        {
            if (long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return DateTimeOffset.FromUnixTimeSeconds(value);
            }

            problem = "as_of_timestamp must be a time in Unix seconds";
            return null;
        }

        if (local.Length > 0)
        {
            if (DateTime.TryParseExact(local, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            {
                return new DateTimeOffset(time, TimeSpan.Zero);
            }

            problem = "as of must be a date and time (UTC)";
        }

        return null;
    }

    private static int Integer(string text, int fallback, int min, int max, ref string? problem, string name)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problem = $"{name} must be an integer from {min} to {max}";
        return fallback;
    }
}
