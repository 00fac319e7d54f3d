namespace OpenEngage.Query;

/// <summary>
/// The reference order of the query API's <c>sort_key</c>, which every store must reproduce:
/// missing and null first, then booleans (false as 0, true as 1) and numbers by exact value, then
/// strings by code point; a list or an object sorts as its compact JSON text among the strings.
/// Ties, and an order without a sort key, go by distinct id ascending (by UTF-8 bytes, that is by
/// code point). Descending reverses the value order only: ties stay by id ascending.
/// </summary>
public static class SortOrder
{
    /// <summary>Compares two distinct ids by code point (their UTF-8 bytes).</summary>
    public static int CompareIds(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return CompareCodePoints(left, right);
    }

    /// <summary>Compares two sort values in ascending order.</summary>
    public static int Compare(SortValue left, SortValue right)
    {
        if (left.Rank != right.Rank)
        {
            return left.Rank.CompareTo(right.Rank);
        }

        return left.Rank switch
        {
            SortRank.Number => CompareNumbers(left, right),
            SortRank.Text => CompareCodePoints(left.Text!, right.Text!),
            _ => 0,
        };
    }

    /// <summary>
    /// Compares two entries (a sort value and a distinct id) in a query's order: by value, reversed
    /// when <paramref name="descending"/>, then by id ascending.
    /// </summary>
    public static int Compare(SortValue leftValue, string leftId, SortValue rightValue, string rightId, bool descending)
    {
        var byValue = Compare(leftValue, rightValue);
        return byValue != 0 ? (descending ? -byValue : byValue) : CompareIds(leftId, rightId);
    }

    /// <summary>
    /// Numbers by exact value: two integers as integers, two doubles as doubles, and an integer and
    /// a double exactly (not by rounding the integer to a double).
    /// </summary>
    private static int CompareNumbers(SortValue left, SortValue right)
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

    /// <summary>Code point order without encoding: UTF-16 code units compared as UTF-8 bytes would.</summary>
    private static int CompareCodePoints(string left, string right)
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
