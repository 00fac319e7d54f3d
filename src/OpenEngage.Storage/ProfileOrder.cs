using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Storage;

/// <summary>
/// The order of profiles by one property: missing and null first, then booleans (false as 0,
/// true as 1) and numbers by value, then strings by code point; a list or an object sorts as its
/// compact JSON text among the strings. Ties, and profiles without a sort key, go by distinct id ascending
/// (by UTF-8 bytes). Descending reverses the property order only.
/// </summary>
public static class ProfileOrder
{
    /// <summary>JSON text as the stores write it: non-ASCII kept as is.</summary>
    /// <summary>Compares two distinct ids by their UTF-8 bytes (code point order).</summary>
    public static int CompareIds(string left, string right) => CompareUtf8(left, right);

    /// <summary>Compares two profiles' values of the sort key (null: the property is missing).</summary>
    public static int CompareValues(JsonNode? left, bool leftPresent, JsonNode? right, bool rightPresent)
    {
        var (leftRank, leftNumber, leftText) = Key(leftPresent ? left : null);
        var (rightRank, rightNumber, rightText) = Key(rightPresent ? right : null);
        if (leftRank != rightRank)
        {
            return leftRank.CompareTo(rightRank);
        }

        return leftRank switch
        {
            1 => CompareNumbers(leftNumber, rightNumber),
            2 => CompareUtf8(leftText!, rightText!),
            _ => 0,
        };
    }

    /// <summary>
    /// Numbers as SQLite holds JSON numbers: an integer within 64 bits exactly, anything else as a
    /// double; an integer and a double compare exactly.
    /// </summary>
    private static int CompareNumbers(Number left, Number right)
    {
        if (left.IsInteger && right.IsInteger)
        {
            return left.Integer.CompareTo(right.Integer);
        }

        if (!left.IsInteger && !right.IsInteger)
        {
            return left.Real.CompareTo(right.Real);
        }

        return left.IsInteger ? CompareMixed(left.Integer, right.Real) : -CompareMixed(right.Integer, left.Real);
    }

    private static int CompareMixed(long integer, double real)
    {
        var rounded = (double)integer;
        if (rounded != real)
        {
            return rounded.CompareTo(real);
        }

        // The double is a whole number near the integer: compare exactly where a long can hold it.
        return real >= 9223372036854775807d ? -1 : real < -9223372036854775808d ? 1 : integer.CompareTo((long)real);
    }

    /// <summary>A comparer of profiles for a query's sort key and order.</summary>
    public static IComparer<StoredProfile> Comparer(string? sortKey, bool descending) => Comparer<StoredProfile>.Create((a, b) =>
    {
        if (sortKey is not null)
        {
            var byValue = CompareValues(
                a.Properties.TryGetPropertyValue(sortKey, out var left) ? left : null,
                a.Properties.ContainsKey(sortKey),
                b.Properties.TryGetPropertyValue(sortKey, out var right) ? right : null,
                b.Properties.ContainsKey(sortKey));
            if (byValue != 0)
            {
                return descending ? -byValue : byValue;
            }
        }

        return CompareIds(a.Key.Id, b.Key.Id);
    });

    private static (int Rank, Number Number, string? Text) Key(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return (0, default, null);
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.True:
                        return (1, new Number(true, 1, 0), null);
                    case JsonValueKind.False:
                        return (1, new Number(true, 0, 0), null);
                    case JsonValueKind.Number:
                        {
                            var text = value.ToJsonString();
                            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                                ? (1, new Number(true, integer, 0), null)
                                : (1, new Number(false, 0, double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real : 0), null);
                        }

                    case JsonValueKind.String:
                        return (2, default, value.GetValue<string>());
                    case JsonValueKind.Null:
                        return (0, default, null);
                    default:
                        return (2, default, StoredProperties.Serialize(value));
                }

            default:
                return (2, default, StoredProperties.Serialize(node));
        }
    }

    private readonly record struct Number(bool IsInteger, long Integer, double Real);

    /// <summary>
    /// Compares sort-key values as SQLite's <c>json_extract</c> returns them (null, a long, a double
    /// or a string; booleans arrive as 0 and 1, lists and objects as their JSON text) in the order
    /// of <see cref="CompareValues"/>.
    /// </summary>
    public static int CompareSqlValues(object? left, object? right)
    {
        var leftRank = SqlRank(left);
        var rightRank = SqlRank(right);
        if (leftRank != rightRank)
        {
            return leftRank.CompareTo(rightRank);
        }

        return leftRank switch
        {
            1 => CompareNumbers(SqlNumber(left!), SqlNumber(right!)),
            2 => CompareUtf8((string)left!, (string)right!),
            _ => 0,
        };
    }

    private static int SqlRank(object? value) => value switch
    {
        null or DBNull => 0,
        long or double => 1,
        string => 2,
        _ => throw new ArgumentException($"Not a value SQLite's json_extract returns: {value.GetType()}.", nameof(value)),
    };

    private static Number SqlNumber(object value) => value is long integer ? new Number(true, integer, 0) : new Number(false, 0, (double)value);

    /// <summary>UTF-8 byte order without encoding: UTF-16 code units compared in code point order.</summary>
    private static int CompareUtf8(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var a = left[i];
            var b = right[i];
            if (a != b)
            {
                return CodePointOrder(a).CompareTo(CodePointOrder(b));
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    /// <summary>Moves surrogates (code points above U+FFFF) after U+E000–U+FFFF, where UTF-8 puts them.</summary>
    private static int CodePointOrder(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
}
