using OpenEngage.Query;

namespace OpenEngage.Http;

/// <summary>
/// Bounds on a <c>where</c> expression of the query API, so that one request cannot cost the store
/// minutes of CPU: its text length, checked before parsing, and its number of nodes (operators,
/// calls, properties and constants), checked after. Strings and property names with a NUL
/// character are refused too: no store can hold one in every backend.
/// </summary>
public static class QueryWhereBounds
{
    /// <summary>The longest <c>where</c> text, in characters.</summary>
    public const int MaxTextLength = 64 * 1024;

    /// <summary>The most nodes in a parsed <c>where</c> tree.</summary>
    public const int MaxNodes = 2000;

    /// <summary>Throws <see cref="WireError"/> 400 when <paramref name="text"/> is too long to parse.</summary>
    public static void CheckText(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxTextLength)
        {
            throw new WireError(400, $"{name} is {text.Length} characters long; the limit is {MaxTextLength}");
        }
    }

    /// <summary>Throws <see cref="WireError"/> 400 when the tree has too many nodes or a string with a NUL.</summary>
    public static void CheckTree(string name, WhereExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var nodes = 0;
        Walk(name, expression.Root, ref nodes);
    }

    /// <summary>Recursive: a parsed tree is at most <see cref="WhereExpression.MaxDepth"/> deep.</summary>
    private static void Walk(string name, Expr expr, ref int nodes)
    {
        if (++nodes > MaxNodes)
        {
            throw new WireError(400, $"{name} has more than {MaxNodes} operators, properties and constants; the limit is {MaxNodes}");
        }

        switch (expr)
        {
            case Unary unary:
                Walk(name, unary.Operand, ref nodes);
                break;
            case Binary binary:
                Walk(name, binary.Left, ref nodes);
                Walk(name, binary.Right, ref nodes);
                break;
            case Call call:
                Walk(name, call.Argument, ref nodes);
                break;
            case PropertyAccess property when property.Name.Contains('\0', StringComparison.Ordinal):
            case Literal { Value: StringValue text } when text.Value.Contains('\0', StringComparison.Ordinal):
                throw new WireError(400, $"{name} contains a NUL character (\\u0000), which no profile can hold");
            default:
                break;
        }
    }
}
