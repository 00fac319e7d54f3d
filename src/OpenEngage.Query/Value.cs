using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Query;

/// <summary>The kind of a <see cref="Value"/>.</summary>
public enum ValueKind
{
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    List,
    Object,
    DateTime,
}

/// <summary>
/// A value of the where language. Immutable. Record equality is representational (the same kind
/// holding the same data); the language's own <c>==</c> is <see cref="Semantics.AreEqual"/>.
/// </summary>
public abstract record Value
{
    private protected Value()
    {
    }

    public abstract ValueKind Kind { get; }

    /// <summary>The value of a missing property, and of every operation outside its domain.</summary>
    public static UndefinedValue Undefined { get; } = new();

    public static NullValue Null { get; } = new();

    public static BooleanValue True { get; } = new(true);

    public static BooleanValue False { get; } = new(false);

    public static BooleanValue Of(bool value) => value ? True : False;

    public static NumberValue Of(decimal value) => NumberValue.FromDecimal(value);

    public static StringValue Of(string value) => new(value);

    /// <summary>Converts a JSON node, as stored in a profile's properties, to a value.</summary>
    public static Value FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Null;
            case JsonObject obj:
                {
                    var builder = ImmutableSortedDictionary.CreateBuilder<string, Value>(StringComparer.Ordinal);
                    foreach (var (key, child) in obj)
                    {
                        builder[key] = FromJson(child);
                    }

                    return new ObjectValue(builder.ToImmutable());
                }

            case JsonArray array:
                {
                    var builder = ImmutableArray.CreateBuilder<Value>(array.Count);
                    foreach (var child in array)
                    {
                        builder.Add(FromJson(child));
                    }

                    return new ListValue(builder.MoveToImmutable());
                }

            case JsonValue value:
                return FromJsonValue(value);

            default:
                return Undefined;
        }
    }

    private static Value FromJsonValue(JsonValue value)
    {
        try
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    return new StringValue(value.TryGetValue<string>(out var text) ? text : JsonSerializer.Deserialize<string>(value.ToJsonString())!);
                case JsonValueKind.True:
                    return True;
                case JsonValueKind.False:
                    return False;
                case JsonValueKind.Number:
                    return NumberValue.TryParse(value.ToJsonString(), out var number) ? number : Undefined;
                case JsonValueKind.Null:
                    return Null;
                default:
                    return Undefined;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or NotSupportedException)
        {
            // A node built in code around a value JSON cannot represent (NaN, say): not a stored value.
            return Undefined;
        }
    }
}

/// <summary>The value of a missing property or of an operation outside its domain.</summary>
public sealed record UndefinedValue : Value
{
    internal UndefinedValue()
    {
    }

    public override ValueKind Kind => ValueKind.Undefined;

    public override string ToString() => "undefined";
}

/// <summary>A JSON <c>null</c> stored in a profile. The language has no null literal.</summary>
public sealed record NullValue : Value
{
    internal NullValue()
    {
    }

    public override ValueKind Kind => ValueKind.Null;

    public override string ToString() => "null";
}

public sealed record BooleanValue(bool Value) : Value
{
    public override ValueKind Kind => ValueKind.Boolean;

    public override string ToString() => Value ? "true" : "false";
}

/// <summary>
/// A number: exact (<see cref="decimal"/>) when it fits decimal's range and precision, otherwise a
/// finite <see cref="double"/>. Never NaN or infinite: operations that would produce one are undefined.
/// </summary>
public sealed record NumberValue : Value
{
    private NumberValue(bool isExact, decimal exact, double approximate)
    {
        IsExact = isExact;
        Exact = exact;
        Approximate = approximate;
    }

    public override ValueKind Kind => ValueKind.Number;

    /// <summary>True when <see cref="Exact"/> holds the value; false when only <see cref="Approximate"/> does.</summary>
    public bool IsExact { get; }

    /// <summary>The exact value, normalized (no trailing fractional zeros); 0 when not <see cref="IsExact"/>.</summary>
    public decimal Exact { get; }

    /// <summary>The value as a double (for an exact number, the nearest double).</summary>
    public double Approximate { get; }

    public static NumberValue FromDecimal(decimal value)
    {
        var normalized = value / 1.000000000000000000000000000000000m;
        return new NumberValue(true, normalized, (double)normalized);
    }

    /// <summary>A double number; null when it is NaN or infinite.</summary>
    public static NumberValue? FromDouble(double value) =>
        double.IsFinite(value) ? new NumberValue(false, 0m, value == 0 ? 0d : value) : null;

    /// <summary>
    /// Parses invariant decimal text (optional sign, fraction and exponent; surrounding white space
    /// allowed): exact when decimal can hold it without losing a non-zero value, otherwise a double.
    /// </summary>
    public static bool TryParse(string text, out NumberValue number)
    {
        const NumberStyles Styles = NumberStyles.Float;
        number = null!;
        if (!double.TryParse(text, Styles, CultureInfo.InvariantCulture, out var approximate) || !double.IsFinite(approximate))
        {
            return false;
        }

        foreach (var c in text)
        {
            // double.TryParse also accepts words such as "Infinity" and "NaN"; the language does not.
            if (char.IsLetter(c) && c is not ('e' or 'E'))
            {
                return false;
            }
        }

        if (decimal.TryParse(text, Styles, CultureInfo.InvariantCulture, out var exact) && (exact != 0m || approximate == 0d))
        {
            number = FromDecimal(exact);
            return true;
        }

        number = FromDouble(approximate)!;
        return true;
    }

    /// <summary>Canonical invariant text: plain decimal notation when exact, round-trip notation otherwise.</summary>
    public override string ToString() =>
        IsExact
            ? Exact.ToString(CultureInfo.InvariantCulture)
            : Approximate.ToString("R", CultureInfo.InvariantCulture);
}

public sealed record StringValue(string Value) : Value
{
    public override ValueKind Kind => ValueKind.String;

    public override string ToString() => WhereFormatter.Quote(Value);
}

/// <summary>A JSON array stored in a profile.</summary>
public sealed record ListValue(ImmutableArray<Value> Items) : Value
{
    public override ValueKind Kind => ValueKind.List;

    public bool Equals(ListValue? other) =>
        other is not null && Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>A JSON object stored in a profile.</summary>
public sealed record ObjectValue(ImmutableSortedDictionary<string, Value> Properties) : Value
{
    public override ValueKind Kind => ValueKind.Object;

    public bool Equals(ObjectValue? other) =>
        other is not null && Properties.Count == other.Properties.Count && Properties.SequenceEqual(other.Properties);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Properties)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var text = new StringBuilder("{");
        foreach (var (key, value) in Properties)
        {
            if (text.Length > 1)
            {
                text.Append(", ");
            }

            text.Append(WhereFormatter.Quote(key)).Append(": ").Append(value);
        }

        return text.Append('}').ToString();
    }
}

/// <summary>An instant, in UTC. Made by <c>datetime(x)</c>.</summary>
public sealed record DateTimeValue : Value
{
    public DateTimeValue(DateTimeOffset value)
    {
        Value = value.ToUniversalTime();
    }

    public override ValueKind Kind => ValueKind.DateTime;

    public DateTimeOffset Value { get; }

    public override string ToString() => "datetime(" + IsoDateTime.Format(Value) + ")";
}
