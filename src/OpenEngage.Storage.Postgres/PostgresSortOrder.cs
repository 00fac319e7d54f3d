using System.Globalization;
using System.Numerics;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The reference order of <see cref="OpenEngage.Query.SortOrder"/> as an <c>ORDER BY</c> over the
/// jsonb value of the sort key (bound as <c>@sort_key</c>), for every value but lists and objects:
/// <list type="number">
/// <item>rank: missing and null, then numbers and booleans, then strings;</item>
/// <item>numbers (booleans as 0 and 1) by the double value .NET parses from their text
/// (overflow to an infinity, underflow to 0, as <c>double.Parse</c> rounds);</item>
/// <item>then, only where two values round to the same double of magnitude 2^53 or more (where a
/// 64-bit integer and a double can differ), exactly: an integer that fits 64 bits by its value, a
/// double by its own (whole) value;</item>
/// <item>strings by code point (<c>COLLATE "C"</c> compares UTF-8 bytes);</item>
/// <item>ties by distinct id ascending, in either direction.</item>
/// </list>
/// Lists and objects sort as their compact JSON text among the strings, and PostgreSQL's jsonb text
/// is not compact (<c>[1, 2]</c>, <c>{"a": 1}</c>): a query whose matches hold one is sorted in
/// memory instead (<see cref="CompositeSql"/> counts them).
/// </summary>
internal static class PostgresSortOrder
{
    private const string Value = "(properties -> @sort_key)";
    private const string Type = $"jsonb_typeof{Value}";
    private const string Number = $"({Value})::numeric";

    /// <summary>The smallest magnitude that rounds to an infinity: halfway between the largest double (2^1024 − 2^971) and 2^1024.</summary>
    private static readonly string Overflow = (BigInteger.Pow(2, 1024) - BigInteger.Pow(2, 970)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The largest magnitude that rounds to 0: half the smallest subnormal double, 2^-1075 (a tie rounds to even, 0).</summary>
    private static readonly string Underflow = "0." + BigInteger.Pow(5, 1075).ToString(CultureInfo.InvariantCulture).PadLeft(1075, '0');

    /// <summary>The double a number's text parses to, without PostgreSQL's range errors.</summary>
    private static readonly string AsDouble =
        $"CASE WHEN abs({Number}) >= {Overflow} THEN sign({Number})::float8 * 'Infinity'::float8 WHEN abs({Number}) <= {Underflow} THEN 0::float8 ELSE ({Number})::float8 END";

    private static readonly string[] Keys =
    [
        $"CASE {Type} WHEN 'number' THEN 1 WHEN 'boolean' THEN 1 WHEN 'string' THEN 2 WHEN 'array' THEN 2 WHEN 'object' THEN 2 ELSE 0 END",
        $"CASE {Type} WHEN 'number' THEN {AsDouble} WHEN 'boolean' THEN CASE WHEN {Value} = 'true'::jsonb THEN 1::float8 ELSE 0::float8 END END",
        $"""
        CASE WHEN {Type} = 'number' AND abs({AsDouble}) >= 9007199254740992 THEN
            CASE WHEN ({Value})::text ~ '^-?[0-9]+$' AND {Number} BETWEEN -9223372036854775808 AND 9223372036854775807 THEN {Number}
                 WHEN abs({AsDouble}) < 9223372036854775808 THEN ({AsDouble})::int8::numeric
                 ELSE sign({AsDouble})::numeric * 9223372036854775808 END
        ELSE 0 END
        """,
        $"CASE WHEN {Type} = 'string' THEN {Value} #>> '{{}}' END COLLATE \"C\"",
    ];

    /// <summary>True for a row whose sort value is a list or an object (see the remarks of the class).</summary>
    public const string CompositeSql = $"{Type} IN ('array', 'object')";

    /// <summary>The ORDER BY list (without the keywords) of a query sorted by <c>@sort_key</c>, or by id when <paramref name="sorted"/> is false.</summary>
    public static string OrderBy(bool sorted, bool descending) => sorted
        ? string.Join(", ", Keys.Select(key => descending ? $"{key} DESC" : key)) + ", id COLLATE \"C\""
        : "id COLLATE \"C\"";
}
