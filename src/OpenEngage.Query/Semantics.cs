using System.Text.Json;

namespace OpenEngage.Query;

/// <summary>
/// The typing rules of the language, one method per operation. Every method is total: it returns
/// <see cref="Value.Undefined"/> outside its domain and never throws.
/// </summary>
public static class Semantics
{
    /// <summary>
    /// Truthiness, used by <c>and</c>, <c>or</c>, <c>not</c>, <c>boolean(x)</c> and a whole filter:
    /// true, a non-zero number, a non-empty string, list or object, and any datetime are truthy;
    /// false, zero, empty ones, null and undefined are not.
    /// </summary>
    public static bool IsTruthy(Value value) => value switch
    {
        BooleanValue b => b.Value,
        NumberValue n => n.IsExact ? n.Exact != 0m : n.Approximate != 0d,
        StringValue s => s.Value.Length > 0,
        ListValue l => l.Items.Length > 0,
        ObjectValue o => o.Properties.Count > 0,
        DateTimeValue => true,
        _ => false,
    };

    /// <summary>
    /// <c>==</c>: true only for two defined values of the same type holding the same data (numbers
    /// by value, strings ordinally, lists and objects element by element); a datetime also equals an
    /// ISO-8601 string naming the same instant. Anything involving undefined is false.
    /// </summary>
    public static bool AreEqual(Value left, Value right)
    {
        switch (left, right)
        {
            case (NullValue, NullValue):
                return true;
            case (BooleanValue a, BooleanValue b):
                return a.Value == b.Value;
            case (NumberValue a, NumberValue b):
                return CompareNumbers(a, b) == 0;
            case (StringValue a, StringValue b):
                return string.Equals(a.Value, b.Value, StringComparison.Ordinal);
            case (ListValue a, ListValue b):
                if (a.Items.Length != b.Items.Length)
                {
                    return false;
                }

                for (var i = 0; i < a.Items.Length; i++)
                {
                    if (!AreEqual(a.Items[i], b.Items[i]))
                    {
                        return false;
                    }
                }

                return true;
            case (ObjectValue a, ObjectValue b):
                if (a.Properties.Count != b.Properties.Count)
                {
                    return false;
                }

                foreach (var (key, value) in a.Properties)
                {
                    if (!b.Properties.TryGetValue(key, out var other) || !AreEqual(value, other))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return AsInstants(left, right) is var (l, r) && l == r;
        }
    }

    /// <summary>
    /// The order of two numbers, or of two instants (a datetime against a datetime or an ISO-8601
    /// string); null for any other pair, which makes <c>&lt; &lt;= &gt; &gt;=</c> undefined.
    /// </summary>
    public static int? Compare(Value left, Value right) => (left, right) switch
    {
        (NumberValue a, NumberValue b) => CompareNumbers(a, b),
        _ => AsInstants(left, right) is var (l, r) ? l.CompareTo(r) : null,
    };

    public static Value Equal(Value left, Value right) => Value.Of(AreEqual(left, right));

    public static Value NotEqual(Value left, Value right) => Value.Of(!AreEqual(left, right));

    public static Value Order(BinaryOperator op, Value left, Value right)
    {
        if (Compare(left, right) is not { } order)
        {
            return Value.Undefined;
        }

        return Value.Of(op switch
        {
            BinaryOperator.Greater => order > 0,
            BinaryOperator.GreaterOrEqual => order >= 0,
            BinaryOperator.Less => order < 0,
            BinaryOperator.LessOrEqual => order <= 0,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        });
    }

    /// <summary><c>needle in haystack</c>: substring (ordinal) of a string, member (by <c>==</c>) of a list; undefined otherwise.</summary>
    public static Value In(Value needle, Value haystack)
    {
        switch (haystack)
        {
            case StringValue s when needle is StringValue n:
                return Value.Of(s.Value.Contains(n.Value, StringComparison.Ordinal));
            case ListValue list when needle is not UndefinedValue:
                foreach (var item in list.Items)
                {
                    if (AreEqual(needle, item))
                    {
                        return Value.True;
                    }
                }

                return Value.False;
            default:
                return Value.Undefined;
        }
    }

    /// <summary>Arithmetic: <c>+</c> also concatenates two strings; everything else needs two numbers.</summary>
    public static Value Arithmetic(BinaryOperator op, Value left, Value right)
    {
        if (op == BinaryOperator.Add && left is StringValue ls && right is StringValue rs)
        {
            return new StringValue(ls.Value + rs.Value);
        }

        if (left is not NumberValue a || right is not NumberValue b)
        {
            return Value.Undefined;
        }

        if (op is BinaryOperator.Divide or BinaryOperator.Modulo && IsZero(b))
        {
            return Value.Undefined;
        }

        if (a.IsExact && b.IsExact)
        {
            try
            {
                return Value.Of(op switch
                {
                    BinaryOperator.Add => a.Exact + b.Exact,
                    BinaryOperator.Subtract => a.Exact - b.Exact,
                    BinaryOperator.Multiply => a.Exact * b.Exact,
                    BinaryOperator.Divide => a.Exact / b.Exact,
                    BinaryOperator.Modulo => a.Exact % b.Exact,
                    _ => throw new ArgumentOutOfRangeException(nameof(op)),
                });
            }
            catch (OverflowException)
            {
                // Beyond decimal's range: continue in double below.
            }
        }

        var x = a.Approximate;
        var y = b.Approximate;
        var result = op switch
        {
            BinaryOperator.Add => x + y,
            BinaryOperator.Subtract => x - y,
            BinaryOperator.Multiply => x * y,
            BinaryOperator.Divide => x / y,
            BinaryOperator.Modulo => x % y,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        return (Value?)NumberValue.FromDouble(result) ?? Value.Undefined;
    }

    public static Value Negate(Value operand) => operand switch
    {
        NumberValue { IsExact: true } n => Value.Of(-n.Exact),
        NumberValue n => (Value?)NumberValue.FromDouble(-n.Approximate) ?? Value.Undefined,
        _ => Value.Undefined,
    };

    public static Value Not(Value operand) => Value.Of(!IsTruthy(operand));

    /// <summary>Applies a built-in function.</summary>
    public static Value Apply(WhereFunction function, Value argument) => function switch
    {
        WhereFunction.Defined => Value.Of(argument is not UndefinedValue),
        WhereFunction.Number => ToNumber(argument),
        WhereFunction.String => ToStringValue(argument),
        WhereFunction.Boolean => Value.Of(IsTruthy(argument)),
        WhereFunction.List => argument is ListValue ? argument : Value.Undefined,
        WhereFunction.Datetime => ToDateTime(argument),
        WhereFunction.Floor => Rounding(argument, Math.Floor, Math.Floor),
        WhereFunction.Round => Rounding(argument, d => Math.Round(d, MidpointRounding.AwayFromZero), d => Math.Round(d, MidpointRounding.AwayFromZero)),
        WhereFunction.Ceil => Rounding(argument, Math.Ceiling, Math.Ceiling),
        _ => Value.Undefined,
    };

    /// <summary><c>number(x)</c>: a number; numeric text; true 1, false 0; a datetime's Unix seconds; else undefined.</summary>
    public static Value ToNumber(Value value) => value switch
    {
        NumberValue => value,
        StringValue s => NumberValue.TryParse(s.Value, out var number) ? number : Value.Undefined,
        BooleanValue b => Value.Of(b.Value ? 1m : 0m),
        DateTimeValue d => Value.Of((d.Value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (decimal)TimeSpan.TicksPerSecond),
        _ => Value.Undefined,
    };

    /// <summary>
    /// <c>string(x)</c>: a string; a number's canonical text; "true"/"false"; a datetime as
    /// <c>YYYY-MM-DDTHH:MM:SS</c>; null as "null"; a list or object as JSON; undefined stays undefined.
    /// </summary>
    public static Value ToStringValue(Value value) => value switch
    {
        StringValue => value,
        NumberValue or BooleanValue or NullValue => new StringValue(value.ToString()),
        DateTimeValue d => new StringValue(IsoDateTime.Format(d.Value)),
        ListValue or ObjectValue => new StringValue(ToJson(value)),
        _ => Value.Undefined,
    };

    /// <summary><c>datetime(x)</c>: a datetime; an ISO-8601 string; Unix seconds; else undefined.</summary>
    public static Value ToDateTime(Value value)
    {
        switch (value)
        {
            case DateTimeValue:
                return value;
            case StringValue s:
                return IsoDateTime.TryParse(s.Value, out var parsed) ? new DateTimeValue(parsed) : Value.Undefined;
            case NumberValue n:
                {
                    const double MinSeconds = -62135596800d; // 0001-01-01
                    const double MaxSeconds = 253402300799d; // 9999-12-31T23:59:59
                    if (n.Approximate < MinSeconds || n.Approximate > MaxSeconds)
                    {
                        return Value.Undefined;
                    }

                    var ticks = n.IsExact
                        ? (long)decimal.Round(n.Exact * TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero)
                        : (long)Math.Round(n.Approximate * TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero);
                    return new DateTimeValue(DateTimeOffset.UnixEpoch.AddTicks(ticks));
                }

            default:
                return Value.Undefined;
        }
    }

    /// <summary>Serializes a value as JSON text (datetimes as their string form; undefined as null).</summary>
    public static string ToJson(Value value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, value);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, Value value)
    {
        switch (value)
        {
            case BooleanValue b:
                writer.WriteBooleanValue(b.Value);
                break;
            case NumberValue n:
                writer.WriteRawValue(n.ToString(), skipInputValidation: true);
                break;
            case StringValue s:
                writer.WriteStringValue(s.Value);
                break;
            case DateTimeValue d:
                writer.WriteStringValue(IsoDateTime.Format(d.Value));
                break;
            case ListValue l:
                writer.WriteStartArray();
                foreach (var item in l.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case ObjectValue o:
                writer.WriteStartObject();
                foreach (var (key, item) in o.Properties)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static Value Rounding(Value value, Func<decimal, decimal> exact, Func<double, double> approximate) => value switch
    {
        NumberValue { IsExact: true } n => Value.Of(exact(n.Exact)),
        NumberValue n => (Value?)NumberValue.FromDouble(approximate(n.Approximate)) ?? Value.Undefined,
        _ => Value.Undefined,
    };

    private static bool IsZero(NumberValue n) => n.IsExact ? n.Exact == 0m : n.Approximate == 0d;

    private static int CompareNumbers(NumberValue a, NumberValue b) =>
        a.IsExact && b.IsExact ? a.Exact.CompareTo(b.Exact) : a.Approximate.CompareTo(b.Approximate);

    private static (DateTimeOffset Left, DateTimeOffset Right)? AsInstants(Value left, Value right)
    {
        if (left is not DateTimeValue && right is not DateTimeValue)
        {
            return null;
        }

        return Instant(left) is { } l && Instant(right) is { } r ? (l, r) : null;
    }

    private static DateTimeOffset? Instant(Value value) => value switch
    {
        DateTimeValue d => d.Value,
        StringValue s when IsoDateTime.TryParse(s.Value, out var parsed) => parsed,
        _ => null,
    };
}
