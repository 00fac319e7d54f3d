using System.Text.Json.Nodes;

namespace OpenEngage.Query;

/// <summary>A parsed <c>where</c> filter of the Engage Query API.</summary>
public sealed class WhereExpression
{
    /// <summary>
    /// The deepest tree accepted (nesting of parentheses, calls and operators, counted in nodes).
    /// Deeper text is a syntax error, so walking a tree recursively is always safe.
    /// </summary>
    public const int MaxDepth = 100;

    private WhereExpression(Expr root)
    {
        Root = root;
    }

    /// <summary>The tree.</summary>
    public Expr Root { get; }

    /// <summary>Parses where text. Throws <see cref="WhereSyntaxException"/> naming the position and what was expected.</summary>
    public static WhereExpression Parse(string text) => new(Parser.Parse(text));

    /// <summary>Parses where text; on failure returns false and the error.</summary>
    public static bool TryParse(string text, out WhereExpression? expression, out WhereSyntaxException? error)
    {
        try
        {
            expression = Parse(text);
            error = null;
            return true;
        }
        catch (WhereSyntaxException e)
        {
            expression = null;
            error = e;
            return false;
        }
    }

    /// <summary>Wraps a tree built by hand. Throws <see cref="ArgumentException"/> if it is deeper than <see cref="MaxDepth"/>.</summary>
    public static WhereExpression FromTree(Expr root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (Depth(root, MaxDepth) > MaxDepth)
        {
            throw new ArgumentException($"The tree is deeper than {MaxDepth} levels.", nameof(root));
        }

        return new WhereExpression(root);
    }

    /// <summary>The value of the expression for a profile with these properties, at time <paramref name="now"/>.</summary>
    public Value Evaluate(JsonObject properties, DateTimeOffset now) => Evaluator.Evaluate(Root, properties, now);

    /// <summary>
    /// Whether a profile with these properties passes the filter: the value is truthy
    /// (see <see cref="Semantics.IsTruthy"/>), exactly as if the expression were wrapped in <c>boolean(…)</c>.
    /// </summary>
    public bool Matches(JsonObject properties, DateTimeOffset now) => Semantics.IsTruthy(Evaluate(properties, now));

    /// <summary>Canonical text; parses back to an equal tree.</summary>
    public override string ToString() => WhereFormatter.Format(Root);

    /// <summary>The height of the tree, counting stops once past <paramref name="limit"/>.</summary>
    private static int Depth(Expr expr, int limit)
    {
        if (limit < 0)
        {
            return 1;
        }

        return expr switch
        {
            Unary unary => 1 + Depth(unary.Operand, limit - 1),
            Binary binary => 1 + Math.Max(Depth(binary.Left, limit - 1), Depth(binary.Right, limit - 1)),
            Call call => 1 + Depth(call.Argument, limit - 1),
            _ => 1,
        };
    }
}
