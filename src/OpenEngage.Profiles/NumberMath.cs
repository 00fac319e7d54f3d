using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>
/// Arithmetic for <c>$add</c>: decimal, so integers stay exact across the 64-bit range and
/// 0.1 + 0.2 == 0.3; a stored number beyond decimal's range falls back to double.
/// </summary>
public static class NumberMath
{
    /// <summary>Drops trailing zeros of the fraction, so 3.0 is stored as 3.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>A JSON number node for a decimal: an integer when it has no fraction.</summary>
    public static JsonNode ToNode(decimal value)
    {
        var normalized = Normalize(value);
        if (normalized == decimal.Truncate(normalized) && normalized >= long.MinValue && normalized <= long.MaxValue)
        {
            return JsonValue.Create((long)normalized);
        }

        return JsonValue.Create(normalized);
    }

    /// <summary>True when the node is a JSON number.</summary>
    public static bool IsNumber(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number;

    /// <summary>Adds <paramref name="delta"/> to a stored number node.</summary>
    /// <exception cref="OverflowException">The sum is beyond the range of a 64-bit floating-point number.</exception>
    public static JsonNode Add(JsonNode current, decimal delta) =>
        TryAdd(current, delta, out var sum)
            ? sum
            : throw new OverflowException($"{current.ToJsonString()} + {delta.ToString(CultureInfo.InvariantCulture)} is beyond the range of a number.");

    /// <summary>
    /// Adds <paramref name="delta"/> to a stored number node; false when the sum is beyond the
    /// range of a 64-bit floating-point number (an infinity cannot be stored).
    /// </summary>
    public static bool TryAdd(JsonNode current, decimal delta, [NotNullWhen(true)] out JsonNode? sum)
    {
        ArgumentNullException.ThrowIfNull(current);
        var value = current.AsValue();
        var exact = false;
        decimal number = 0;
        if (value.TryGetValue<long>(out var integer))
        {
            (number, exact) = (integer, true);
        }
        else if (value.TryGetValue<decimal>(out number))
        {
            exact = true;
        }
        else if (value.TryGetValue<JsonElement>(out var element) && element.TryGetDecimal(out number))
        {
            exact = true;
        }

        if (exact)
        {
            try
            {
                sum = ToNode(number + delta);
                return true;
            }
            catch (OverflowException)
            {
                // Leave decimal's range: continue in double below.
            }
        }

        var result = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) + (double)delta;
        if (!double.IsFinite(result))
        {
            sum = null;
            return false;
        }

        sum = JsonValue.Create(result);
        return true;
    }
}
