using System.Text.Json.Nodes;

namespace OpenEngage.Query;

/// <summary>Evaluates a tree over one profile's properties. Never throws for a tree <see cref="WhereExpression"/> accepts.</summary>
public static class Evaluator
{
    public static Value Evaluate(Expr expr, JsonObject properties, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(expr);
        ArgumentNullException.ThrowIfNull(properties);
        return Eval(expr, properties, now);
    }

    private static Value Eval(Expr expr, JsonObject properties, DateTimeOffset now)
    {
        switch (expr)
        {
            case Literal literal:
                return literal.Value;

            case PropertyAccess access:
                return properties.TryGetPropertyValue(access.Name, out var node) ? Value.FromJson(node) : Value.Undefined;

            case Now:
                return Value.Of(now.ToUnixTimeSeconds());

            case Unary unary:
                {
                    var operand = Eval(unary.Operand, properties, now);
                    return unary.Operator == UnaryOperator.Not ? Semantics.Not(operand) : Semantics.Negate(operand);
                }

            case Binary { Operator: BinaryOperator.And } and:
                return Value.Of(Semantics.IsTruthy(Eval(and.Left, properties, now)) && Semantics.IsTruthy(Eval(and.Right, properties, now)));

            case Binary { Operator: BinaryOperator.Or } or:
                return Value.Of(Semantics.IsTruthy(Eval(or.Left, properties, now)) || Semantics.IsTruthy(Eval(or.Right, properties, now)));

            case Binary binary:
                {
                    var left = Eval(binary.Left, properties, now);
                    var right = Eval(binary.Right, properties, now);
                    return binary.Operator switch
                    {
                        BinaryOperator.Equal => Semantics.Equal(left, right),
                        BinaryOperator.NotEqual => Semantics.NotEqual(left, right),
                        BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual
                            => Semantics.Order(binary.Operator, left, right),
                        BinaryOperator.In => Semantics.In(left, right),
                        _ => Semantics.Arithmetic(binary.Operator, left, right),
                    };
                }

            case Call call:
                return Semantics.Apply(call.Function, Eval(call.Argument, properties, now));

            default:
                return Value.Undefined;
        }
    }
}
