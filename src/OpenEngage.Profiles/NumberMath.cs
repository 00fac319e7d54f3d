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
    public static JsonNode Add(JsonNode current, decimal delta)
    {
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
                return ToNode(number + delta);
            }
            catch (OverflowException)
            {
                // Leave decimal's range: continue in double below.
            }
        }

        var sum = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) + (double)delta;
        return JsonValue.Create(sum);
    }
}
