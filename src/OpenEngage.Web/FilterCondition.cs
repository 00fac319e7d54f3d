using OpenEngage.Query;

namespace OpenEngage.Web;

/// <summary>
/// One condition of the filter builder (property, operator, typed value), written as a <c>where</c>
/// tree and joined to the filter so far with <c>and</c> / <c>or</c>.
/// </summary>
public static class FilterCondition
{
    /// <summary>The operators the builder offers: value and label.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Operators =
    [
        ("eq", "equals"),
        ("ne", "does not equal"),
        ("contains", "contains"),
        ("not_contains", "does not contain"),
        ("gt", "greater than"),
        ("ge", "at least"),
        ("lt", "less than"),
        ("le", "at most"),
        ("set", "is set"),
        ("not_set", "is not set"),
    ];

    /// <summary>The value types the builder offers.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Types =
    [
        ("string", "text"),
        ("number", "number"),
        ("boolean", "true/false"),
        ("datetime", "date/time"),
    ];

    /// <summary>
    /// <paramref name="current"/> joined with the condition by <paramref name="join"/> (<c>and</c> or <c>or</c>);
    /// throws <see cref="FormatException"/> with a message for the user when the condition is not valid.
    /// </summary>
    public static string Append(WhereExpression? current, string? property, string? op, string? type, string? value, string? join)
    {
        if (string.IsNullOrWhiteSpace(property))
        {
            throw new FormatException("Choose a property.");
        }

        var condition = Build(new PropertyAccess(property.Trim()), op ?? "", type ?? "string", value ?? "");
        if (current is null)
        {
            return WhereFormatter.Format(condition);
        }

        var combined = new Binary(join == "or" ? BinaryOperator.Or : BinaryOperator.And, current.Root, condition);
        return WhereFormatter.Format(WhereExpression.FromTree(combined).Root);
    }

    private static Expr Build(PropertyAccess property, string op, string type, string value) => op switch
    {
        "set" => new Call(WhereFunction.Defined, property),
        "not_set" => new Unary(UnaryOperator.Not, new Call(WhereFunction.Defined, property)),
        "eq" => new Binary(BinaryOperator.Equal, property, Literal(type, value)),
        "ne" => new Binary(BinaryOperator.NotEqual, property, Literal(type, value)),
        "contains" => new Binary(BinaryOperator.In, Literal(type, value), property),
        "not_contains" => new Unary(UnaryOperator.Not, new Binary(BinaryOperator.In, Literal(type, value), property)),
        "gt" => new Binary(BinaryOperator.Greater, Ordered(property, type), Literal(type, value)),
        "ge" => new Binary(BinaryOperator.GreaterOrEqual, Ordered(property, type), Literal(type, value)),
        "lt" => new Binary(BinaryOperator.Less, Ordered(property, type), Literal(type, value)),
        "le" => new Binary(BinaryOperator.LessOrEqual, Ordered(property, type), Literal(type, value)),
        _ => throw new FormatException("Choose an operator."),
    };

    /// <summary>A date comparison reads the stored text as a date/time.</summary>
    private static Expr Ordered(PropertyAccess property, string type) =>
        type == "datetime" ? new Call(WhereFunction.Datetime, property) : property;

    private static Expr Literal(string type, string value)
    {
        switch (type)
        {
            case "number":
                if (!NumberValue.TryParse(value.Trim(), out var number))
                {
                    throw new FormatException($"\"{value}\" is not a number.");
                }

                return number.Approximate < 0
                    ? new Unary(UnaryOperator.Negate, new Literal(NumberValue.TryParse(value.Trim().TrimStart('-'), out var positive) ? positive : number))
                    : new Literal(number);
            case "boolean":
                return value.Trim().ToLowerInvariant() switch
                {
                    "true" => new Literal(Value.True),
                    "false" => new Literal(Value.False),
                    _ => throw new FormatException("A true/false value is true or false."),
                };
            case "datetime":
                if (!IsoDateTime.TryParse(value.Trim(), out _))
                {
                    throw new FormatException($"\"{value}\" is not a date (write 2024-03-05 or 2024-03-05T10:20:30).");
                }

                return new Call(WhereFunction.Datetime, new Literal(new StringValue(value.Trim())));
            default:
                return new Literal(new StringValue(value));
        }
    }
}
