using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Query;

/// <summary>
/// A property's value as the query API's <c>sort_key</c> orders it (see <see cref="SortOrder"/>):
/// missing or null; a number (booleans as 0 and 1), held as a 64-bit integer when it is one and as
/// a double otherwise; or text (strings, and lists and objects as their compact JSON text).
/// </summary>
public readonly record struct SortValue
{
    /// <summary>JSON text of lists and objects: compact, non-ASCII kept as it is.</summary>
    private static readonly JsonSerializerOptions JsonText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private SortValue(SortRank rank, bool isInteger, long integer, double real, string? text)
    {
        Rank = rank;
        IsInteger = isInteger;
        Integer = integer;
        Real = real;
        Text = text;
    }

    /// <summary>A missing property, or JSON null: first in ascending order.</summary>
    public static SortValue Missing { get; }

    public SortRank Rank { get; }

    /// <summary>Whether a number is held exactly as <see cref="Integer"/> (otherwise as <see cref="Real"/>).</summary>
    public bool IsInteger { get; }

    public long Integer { get; }

    public double Real { get; }

    public string? Text { get; }

    public static SortValue FromInteger(long value) => new(SortRank.Number, true, value, 0, null);

    public static SortValue FromReal(double value) => new(SortRank.Number, false, 0, value, null);

    public static SortValue FromText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(SortRank.Text, false, 0, 0, value);
    }

    /// <summary>The sort value of a JSON property value (null: the property is missing).</summary>
    public static SortValue Of(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Missing;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.True:
                        return FromInteger(1);
                    case JsonValueKind.False:
                        return FromInteger(0);
                    case JsonValueKind.Number:
                        {
                            var text = value.ToJsonString();
                            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                                ? FromInteger(integer)
                                : FromReal(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real : 0);
                        }

                    case JsonValueKind.String:
                        return FromText(value.GetValue<string>());
                    case JsonValueKind.Null:
                        return Missing;
                    default:
                        return FromText(value.ToJsonString(JsonText));
                }

            default:
                return FromText(node.ToJsonString(JsonText));
        }
    }
}
