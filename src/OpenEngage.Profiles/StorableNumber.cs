using System.Globalization;

namespace OpenEngage.Profiles;

/// <summary>
/// Which JSON numbers a record may carry: the ones every store keeps exactly as given and every
/// reader of a profile can use. A number is storable when
/// <list type="bullet">
/// <item>it is within the range of a 64-bit floating-point number (magnitude at most about 1.8e308):
/// beyond it, arithmetic and comparisons see an infinity;</item>
/// <item>it is zero, or non-zero as a 64-bit floating-point number (magnitude at least about 4.9e-324),
/// so no reader takes a non-zero value for 0;</item>
/// <item>written out in full, it has at most <see cref="MaxFractionDigits"/> digits after the decimal
/// point, the most PostgreSQL's <c>numeric</c> keeps (SQLite keeps a number's text as it is).</item>
/// </list>
/// Within these bounds an integer part has at most 309 digits, far below PostgreSQL's 131,072.
/// </summary>
public static class StorableNumber
{
    /// <summary>PostgreSQL's <c>numeric</c> keeps at most 16,383 digits after the decimal point.</summary>
    public const int MaxFractionDigits = 16_383;

    /// <summary>Why the JSON number literal <paramref name="literal"/> cannot be stored; null when it can.</summary>
    public static string? Problem(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return "the number is not a JSON number";
        }

        if (double.IsInfinity(value))
        {
            return "the number is too large: numbers may be at most about 1.8e308 in magnitude";
        }

        var body = literal.StartsWith('-') ? literal.AsSpan(1) : literal.AsSpan();
        var e = body.IndexOfAny('e', 'E');
        var mantissa = e < 0 ? body : body[..e];
        if (value == 0 && mantissa.IndexOfAnyInRange('1', '9') >= 0)
        {
            return "the number is too small: a number other than 0 may be no smaller than about 4.9e-324 in magnitude";
        }

        // Digits after the decimal point when written out in full: those of the mantissa, moved by the exponent.
        var dot = mantissa.IndexOf('.');
        long fractionDigits = dot < 0 ? 0 : mantissa.Length - dot - 1;
        if (e >= 0)
        {
            var exponent = body[(e + 1)..];
            if (!long.TryParse(exponent, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var shift))
            {
                // Only a zero reaches this with an exponent beyond 64 bits: 0e-99999999999999999999.
                shift = exponent.StartsWith("-") ? long.MinValue / 2 : long.MaxValue / 2;
            }

            fractionDigits -= shift;
        }

        return fractionDigits > MaxFractionDigits
            ? $"the number has {(fractionDigits > int.MaxValue ? "too many" : fractionDigits.ToString(CultureInfo.InvariantCulture))} digits after the decimal point; at most {MaxFractionDigits} can be stored"
            : null;
    }
}
