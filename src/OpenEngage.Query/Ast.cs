namespace OpenEngage.Query;

/// <summary>
/// A node of a parsed where expression. Immutable; equality is structural. Every node kind is one
/// of the sealed records below, so a translator can walk the tree with a <c>switch</c>.
/// </summary>
public abstract record Expr
{
    private protected Expr()
    {
    }

    /// <summary>Canonical source text: parses back to an equal tree, with no redundant parentheses.</summary>
    public sealed override string ToString() => WhereFormatter.Format(this);
}

/// <summary>A string, number or boolean literal. Numbers are never negative: <c>-5</c> is <see cref="Unary"/> negate.</summary>
public sealed record Literal(Value Value) : Expr;

/// <summary><c>properties["Name"]</c> (or its synonym <c>user["Name"]</c>): the top-level property of that exact name.</summary>
public sealed record PropertyAccess(string Name) : Expr;

/// <summary>The macro <c>NOW</c>: the current time as whole Unix seconds (a number).</summary>
public sealed record Now : Expr;

public enum UnaryOperator
{
    /// <summary><c>-x</c></summary>
    Negate,

    /// <summary><c>not x</c> (also the outer node of <c>a not in b</c>)</summary>
    Not,
}

public sealed record Unary(UnaryOperator Operator, Expr Operand) : Expr;

public enum BinaryOperator
{
    Or,
    And,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,

    /// <summary><c>a in b</c>: substring of a string, or member of a list.</summary>
    In,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

public sealed record Binary(BinaryOperator Operator, Expr Left, Expr Right) : Expr;

/// <summary>The built-in functions; each takes exactly one argument.</summary>
public enum WhereFunction
{
    Defined,
    Number,
    String,
    Boolean,
    List,
    Datetime,
    Floor,
    Round,
    Ceil,
}

public sealed record Call(WhereFunction Function, Expr Argument) : Expr
{
    /// <summary>The function's name as written in canonical source (lower case).</summary>
    public string Name => Syntax.FunctionName(Function);
}

/// <summary>Operator spellings and precedence, shared by the parser and the formatter.</summary>
public static class Syntax
{
    /// <summary>Binding strength, loosest first: or, and, not, comparison and in, additive, multiplicative, unary minus, primary.</summary>
    public const int OrLevel = 1;
    public const int AndLevel = 2;
    public const int NotLevel = 3;
    public const int ComparisonLevel = 4;
    public const int AdditiveLevel = 5;
    public const int MultiplicativeLevel = 6;
    public const int NegateLevel = 7;
    public const int PrimaryLevel = 8;

    public static int Precedence(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => OrLevel,
        BinaryOperator.And => AndLevel,
        BinaryOperator.Add or BinaryOperator.Subtract => AdditiveLevel,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo => MultiplicativeLevel,
        _ => ComparisonLevel,
    };

    public static string Spelling(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "or",
        BinaryOperator.And => "and",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.In => "in",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static string FunctionName(WhereFunction function) => function switch
    {
        WhereFunction.Defined => "defined",
        WhereFunction.Number => "number",
        WhereFunction.String => "string",
        WhereFunction.Boolean => "boolean",
        WhereFunction.List => "list",
        WhereFunction.Datetime => "datetime",
        WhereFunction.Floor => "floor",
        WhereFunction.Round => "round",
        WhereFunction.Ceil => "ceil",
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };

    internal static bool TryFunction(string name, out WhereFunction function)
    {
        foreach (var candidate in Enum.GetValues<WhereFunction>())
        {
            if (string.Equals(FunctionName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                function = candidate;
                return true;
            }
        }

        function = default;
        return false;
    }
}
