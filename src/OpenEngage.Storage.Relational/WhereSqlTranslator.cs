using System.Text.Json.Nodes;
using OpenEngage.Query;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// Translates a where tree into a SQL condition that is true when a profile surely matches, false
/// when it surely does not, and NULL when SQL cannot decide exactly as <see cref="Evaluator"/>
/// would; those rows are evaluated in memory. The walk is the same for every dialect: it folds
/// sub-expressions without a property to constants (evaluated once, in memory), simplifies with
/// Kleene's three-valued logic on <see cref="SqlTruth"/>, and asks the <see cref="WhereDialect"/>
/// only for the leaves. Anything the dialect has no leaf for is unknown.
/// </summary>
public sealed class WhereSqlTranslator
{
    private static readonly JsonObject Empty = [];

    private readonly WhereDialect _dialect;
    private readonly DateTimeOffset _now;
    private bool _combined;

    private WhereSqlTranslator(WhereDialect dialect, DateTimeOffset now)
    {
        _dialect = dialect;
        _now = now;
    }

    /// <summary>Translates <paramref name="where"/> (null: every row matches) with the leaves of <paramref name="dialect"/>.</summary>
    public static WhereTranslation Translate(WhereExpression? where, DateTimeOffset now, WhereDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        if (where is null)
        {
            return new WhereTranslation(dialect.Literal(SqlTruthKind.True), SqlTruthKind.True, dialect.Command.Parameters);
        }

        var translator = new WhereSqlTranslator(dialect, now);
        var truth = translator.Truth(where.Root);
        var sql = truth.IsConstant ? dialect.Literal(truth.Kind) : dialect.Finish(truth.Sql!, translator._combined);
        return new WhereTranslation(sql, truth.Kind, dialect.Command.Parameters);
    }

    /// <summary>The truthiness of <paramref name="expr"/>.</summary>
    private SqlTruth Truth(Expr expr)
    {
        if (IsConstant(expr))
        {
            return SqlTruth.From(Semantics.IsTruthy(Constant(expr)));
        }

        switch (expr)
        {
            case Unary { Operator: UnaryOperator.Not } not:
                return Not(Truth(not.Operand));

            case Binary { Operator: BinaryOperator.And } and:
                return Combine("AND", Truth(and.Left), Truth(and.Right));

            case Binary { Operator: BinaryOperator.Or } or:
                return Combine("OR", Truth(or.Left), Truth(or.Right));

            case Call { Function: WhereFunction.Boolean } boolean:
                return Truth(boolean.Argument);

            case Call { Function: WhereFunction.Defined, Argument: PropertyAccess property }:
                return _dialect.Defined(property.Name);

            case PropertyAccess property:
                return _dialect.Truthy(property.Name);

            case Binary { Operator: BinaryOperator.Equal or BinaryOperator.NotEqual } equality:
                {
                    var equal = (equality.Left, equality.Right) switch
                    {
                        (PropertyAccess p, var c) when IsConstant(c) => _dialect.Equal(p.Name, Constant(c)),
                        (var c, PropertyAccess p) when IsConstant(c) => _dialect.Equal(p.Name, Constant(c)),
                        _ => SqlTruth.Unknown,
                    };
                    return equality.Operator == BinaryOperator.Equal ? equal : Not(equal);
                }

            case Binary { Operator: BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual } order:
                return (order.Left, order.Right) switch
                {
                    (PropertyAccess p, var c) when IsConstant(c) => _dialect.Order(order.Operator, p.Name, Constant(c)),
                    (var c, PropertyAccess p) when IsConstant(c) => _dialect.Order(Flip(order.Operator), p.Name, Constant(c)),
                    _ => SqlTruth.Unknown,
                };

            case Binary { Operator: BinaryOperator.In } @in:
                return (@in.Left, @in.Right) switch
                {
                    (PropertyAccess p, var c) when IsConstant(c) => _dialect.NeedleIn(p.Name, Constant(c)),
                    (var c, PropertyAccess p) when IsConstant(c) => _dialect.InProperty(Constant(c), p.Name),
                    _ => SqlTruth.Unknown,
                };

            default:
                return SqlTruth.Unknown;
        }
    }

    /// <summary>Kleene's NOT: true and false swap, unknown stays unknown.</summary>
    internal static SqlTruth Not(SqlTruth operand) => operand.Kind switch
    {
        SqlTruthKind.True => SqlTruth.False,
        SqlTruthKind.False => SqlTruth.True,
        SqlTruthKind.Unknown => SqlTruth.Unknown,
        _ => SqlTruth.Of($"(NOT {operand.Sql})"),
    };

    /// <summary>
    /// Kleene's AND or OR: the absorbing constant (false for AND, true for OR) wins whatever the
    /// other side is, the neutral one leaves the other side, and two unknowns stay unknown.
    /// </summary>
    private SqlTruth Combine(string op, SqlTruth left, SqlTruth right)
    {
        var (absorbing, neutral) = op == "AND" ? (SqlTruthKind.False, SqlTruthKind.True) : (SqlTruthKind.True, SqlTruthKind.False);
        if (left.Kind == absorbing || right.Kind == absorbing)
        {
            return absorbing == SqlTruthKind.True ? SqlTruth.True : SqlTruth.False;
        }

        if (left.Kind == neutral)
        {
            return right;
        }

        if (right.Kind == neutral)
        {
            return left;
        }

        if (left.Kind == SqlTruthKind.Unknown && right.Kind == SqlTruthKind.Unknown)
        {
            return SqlTruth.Unknown;
        }

        _combined = true;
        return SqlTruth.Of(_dialect.Combine(op, Operand(left), Operand(right)));
    }

    private string Operand(SqlTruth truth) => truth.Sql ?? _dialect.Literal(truth.Kind);

    private static BinaryOperator Flip(BinaryOperator op) => op switch
    {
        BinaryOperator.Greater => BinaryOperator.Less,
        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
        BinaryOperator.Less => BinaryOperator.Greater,
        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
        _ => op,
    };

    private static bool IsConstant(Expr expr) => expr switch
    {
        PropertyAccess => false,
        Unary unary => IsConstant(unary.Operand),
        Binary binary => IsConstant(binary.Left) && IsConstant(binary.Right),
        Call call => IsConstant(call.Argument),
        _ => true,
    };

    private Value Constant(Expr expr) => Evaluator.Evaluate(expr, Empty, _now);
}
