using System.Globalization;
using System.Text;

namespace OpenEngage.Query;

/// <summary>
/// Prints a tree as canonical where text: lower-case keywords, <c>properties["…"]</c>, single spaces
/// around binary operators and parentheses only where precedence needs them. For every tree the
/// parser produces, parsing the printed text gives an equal tree.
/// </summary>
public static class WhereFormatter
{
    public static string Format(Expr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var text = new StringBuilder();
        Write(text, expr, Syntax.OrLevel);
        return text.ToString();
    }

    /// <summary>A string literal in double quotes, escaping quotes, backslashes and control characters.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    private static int Level(Expr expr) => expr switch
    {
        Binary binary => Syntax.Precedence(binary.Operator),
        Unary { Operator: UnaryOperator.Not } => Syntax.NotLevel,
        Unary => Syntax.NegateLevel,
        Literal { Value: NumberValue { Approximate: < 0 } } => Syntax.NegateLevel,
        _ => Syntax.PrimaryLevel,
    };

    private static void Write(StringBuilder text, Expr expr, int minimum)
    {
        var parenthesize = Level(expr) < minimum;
        if (parenthesize)
        {
            text.Append('(');
        }

        switch (expr)
        {
            case Literal literal:
                text.Append(literal.Value switch
                {
                    StringValue s => Quote(s.Value),
                    BooleanValue or NumberValue => literal.Value.ToString(),
                    _ => throw new ArgumentException("A literal holds a string, number or boolean.", nameof(expr)),
                });
                break;
            case PropertyAccess access:
                text.Append("properties[").Append(Quote(access.Name)).Append(']');
                break;
            case Now:
                text.Append("NOW");
                break;
            case Unary { Operator: UnaryOperator.Not } not:
                text.Append("not ");
                Write(text, not.Operand, Syntax.NotLevel);
                break;
            case Unary negate:
                text.Append('-');
                Write(text, negate.Operand, Syntax.NegateLevel);
                break;
            case Binary binary:
                {
                    var level = Syntax.Precedence(binary.Operator);
                    Write(text, binary.Left, level);
                    text.Append(' ').Append(Syntax.Spelling(binary.Operator)).Append(' ');
                    Write(text, binary.Right, level + 1);
                    break;
                }

            case Call call:
                text.Append(call.Name).Append('(');
                Write(text, call.Argument, Syntax.OrLevel);
                text.Append(')');
                break;
            default:
                throw new ArgumentException("Unknown node " + expr.GetType().Name, nameof(expr));
        }

        if (parenthesize)
        {
            text.Append(')');
        }
    }
}
