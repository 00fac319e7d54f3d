using System.Globalization;
using System.Text.Json.Nodes;
using OpenEngage.Query;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Translates a where tree into a SQLite expression over the <c>properties</c> JSON column that
/// yields 1 when the profile surely matches, 0 when it surely does not, and NULL when SQL cannot
/// decide exactly as <see cref="Evaluator"/> would; those rows are evaluated in memory.
/// </summary>
/// <remarks>
/// SQL's three-valued <c>AND</c>/<c>OR</c>/<c>NOT</c> keep "unknown" exact: <c>0 AND NULL</c> is 0
/// whatever the unknown side is, <c>1 AND NULL</c> stays unknown. Every leaf is exact or NULL:
/// <list type="bullet">
/// <item>sub-expressions without a property are evaluated once, in memory, to a constant;</item>
/// <item><c>defined(p)</c>, the truthiness of <c>p</c>, and <c>p</c> compared with or tested by
/// <c>in</c> against a constant translate; anything else (arithmetic on properties, casts, two
/// properties) is unknown;</item>
/// <item>numbers: a stored integer against an integral constant compares exactly; any other pair
/// compares as doubles unless the stored value lies within a relative 1e-9 of the constant, where
/// the decimal rules of the evaluator could differ (unknown);</item>
/// <item>strings: stored text containing a backslash or NUL is unknown (SQLite's decoding of
/// such escapes differs between versions); other text compares and searches byte for byte;</item>
/// <item>datetimes: stored text of the canonical form <c>YYYY-MM-DDTHH:MM:SS</c> that is a real
/// date compares as text against the constant in that form; other text that starts like a date
/// is unknown; anything else is not a datetime.</item>
/// </list>
/// </remarks>
internal sealed class SqliteWhereTranslator
{
    private const string Column = "properties";
    private const string MaxDouble = "1.7976931348623157e308";
    private const string CanonicalDate = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'";
    private static readonly JsonObject Empty = [];

    private readonly DateTimeOffset _now;
    private readonly List<KeyValuePair<string, object>> _parameters = [];
    private readonly Dictionary<string, int> _accessed = new(StringComparer.Ordinal);
    private readonly List<string> _paths = [];
    private bool _combined;
    private readonly System.Text.StringBuilder _columns = new();

    private SqliteWhereTranslator(DateTimeOffset now)
    {
        _now = now;
    }

    /// <summary>
    /// The translated expression (1, 0 or NULL per row), its parameters, and the columns it reads:
    /// the value (<c>v0</c>, <c>v1</c>, …) of each property it names, extracted once per row by
    /// <see cref="Rows"/> however often the expression uses it.
    /// </summary>
    public sealed record Translation(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters, string Columns)
    {
        /// <summary>
        /// The rows <see cref="Sql"/> is evaluated on: <c>id</c>, <c>properties</c>, the extracted
        /// columns and <paramref name="extra"/> of the profiles <paramref name="scope"/> selects, in
        /// <paramref name="orderBy"/> order. The LIMIT keeps SQLite from flattening the subquery
        /// into the outer query, which would extract a value again at every use.
        /// </summary>
        public string Rows(string scope, string extra = "", string orderBy = "") =>
            $"(SELECT id, {Column}{Columns}{extra} FROM profiles WHERE {scope} {orderBy} LIMIT -1)";

        /// <summary>True when the expression is the constant 1 (every row matches).</summary>
        public bool IsAll => Sql == "1";

        /// <summary>True when the expression is the constant 0 (no row matches).</summary>
        public bool IsNone => Sql == "0";

        /// <summary>True when SQL decides nothing: every row is evaluated in memory.</summary>
        public bool IsUnknown => Sql == "NULL";
    }

    public static Translation Translate(WhereExpression? where, DateTimeOffset now)
    {
        if (where is null)
        {
            return new Translation("1", [], "");
        }

        var translator = new SqliteWhereTranslator(now);
        var sql = translator.Truth(where.Root);
        return new Translation(translator.Decide(sql), translator._parameters, translator._columns.ToString());
    }

    /// <summary>The JSON path of a top-level property, or null when SQLite's path syntax cannot name it.</summary>
    public static string? PathOf(string name)
    {
        foreach (var c in name)
        {
            if (c is '"' or '\\' || char.IsControl(c) || char.IsSurrogate(c))
            {
                return null;
            }
        }

        return "$.\"" + name + "\"";
    }

    /// <summary>The truthiness of <paramref name="expr"/>: 1, 0 or NULL.</summary>
    private string Truth(Expr expr)
    {
        if (IsConstant(expr))
        {
            return Semantics.IsTruthy(Constant(expr)) ? "1" : "0";
        }

        switch (expr)
        {
            case Unary { Operator: UnaryOperator.Not } not:
                return Simplify("NOT", Truth(not.Operand));

            case Binary { Operator: BinaryOperator.And } and:
                return Combine("AND", Truth(and.Left), Truth(and.Right));

            case Binary { Operator: BinaryOperator.Or } or:
                return Combine("OR", Truth(or.Left), Truth(or.Right));

            case Call { Function: WhereFunction.Boolean } boolean:
                return Truth(boolean.Argument);

            case Call { Function: WhereFunction.Defined, Argument: PropertyAccess property }:
                return Defined(property.Name);

            case PropertyAccess property:
                return Truthy(property.Name);

            case Binary { Operator: BinaryOperator.Equal or BinaryOperator.NotEqual } equality:
                {
                    var sql = (equality.Left, equality.Right) switch
                    {
                        (PropertyAccess p, var c) when IsConstant(c) => Equal(p.Name, Constant(c)),
                        (var c, PropertyAccess p) when IsConstant(c) => Equal(p.Name, Constant(c)),
                        _ => "NULL",
                    };
                    return equality.Operator == BinaryOperator.Equal ? sql : Simplify("NOT", sql);
                }

            case Binary { Operator: BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual } order:
                return (order.Left, order.Right) switch
                {
                    (PropertyAccess p, var c) when IsConstant(c) => Order(order.Operator, p.Name, Constant(c)),
                    (var c, PropertyAccess p) when IsConstant(c) => Order(Flip(order.Operator), p.Name, Constant(c)),
                    _ => "NULL",
                };

            case Binary { Operator: BinaryOperator.In } @in:
                return (@in.Left, @in.Right) switch
                {
                    (PropertyAccess p, var c) when IsConstant(c) => NeedleIn(p.Name, Constant(c)),
                    (var c, PropertyAccess p) when IsConstant(c) => InProperty(Constant(c), p.Name),
                    _ => "NULL",
                };

            default:
                return "NULL";
        }
    }

    private string Defined(string name)
    {
        if (Access(name) is not var (_, value))
        {
            return "NULL";
        }

        // A value that is NULL in SQL is JSON null (defined) or missing; a number beyond double's
        // range is undefined to the evaluator.
        return $"""
            (CASE WHEN {value} IS NULL THEN (json_type({Column}, {_paths[_accessed[name]]}) IS NOT NULL)
                  WHEN typeof({value}) = 'real' AND abs({value}) > {MaxDouble} THEN NULL
                  ELSE 1 END)
            """;
    }

    private string Truthy(string name)
    {
        if (Access(name) is not var (type, value))
        {
            return "NULL";
        }

        return $"""
            (CASE {type}
              WHEN 'true' THEN 1
              WHEN 'integer' THEN ({value} <> 0)
              WHEN 'real' THEN (CASE WHEN {value} = 0 OR abs({value}) > {MaxDouble} THEN NULL ELSE 1 END)
              WHEN 'text' THEN {GuardText(value, $"({value} <> '')")}
              WHEN 'array' THEN (json_array_length({value}) > 0)
              WHEN 'object' THEN ({value} <> '{"{}"}')
              ELSE 0 END)
            """;
    }

    private string Equal(string name, Value constant)
    {
        if (Access(name) is not var (type, value))
        {
            return "NULL";
        }

        switch (constant)
        {
            case UndefinedValue:
                return "0";
            case BooleanValue b:
                return $"({type} = '{(b.Value ? "true" : "false")}')";
            case StringValue s when HasLoneSurrogate(s.Value):
                return "NULL";
            case StringValue s:
                return $"(CASE WHEN {type} = 'text' THEN {GuardText(value, $"({value} = {Parameter(s.Value)})")} ELSE 0 END)";
            case NumberValue n:
                return $"(CASE WHEN {type} IN ('integer', 'real') THEN {Numeric("=", value, n)} ELSE 0 END)";
            case DateTimeValue d:
                return DateTimeComparison("=", type, value, d);
            default:
                return "NULL";
        }
    }

    private string Order(BinaryOperator op, string name, Value constant)
    {
        if (Access(name) is not var (type, value))
        {
            return "NULL";
        }

        var sqlOperator = Syntax.Spelling(op);
        return constant switch
        {
            NumberValue n => $"(CASE WHEN {type} IN ('integer', 'real') THEN {Numeric(sqlOperator, value, n)} ELSE 0 END)",
            DateTimeValue d => DateTimeComparison(sqlOperator, type, value, d),

            // Ordering needs two numbers or a datetime; stored values are never datetimes.
            _ => "0",
        };
    }

    /// <summary><c>p in constant</c>: a substring test when the constant is a string; else undefined.</summary>
    private string NeedleIn(string name, Value haystack)
    {
        if (Access(name) is not var (type, value))
        {
            return "NULL";
        }

        if (haystack is StringValue { Value: var lone } && HasLoneSurrogate(lone))
        {
            return "NULL";
        }

        return haystack is StringValue s
            ? $"(CASE WHEN {type} = 'text' THEN {GuardText(value, $"(instr({Parameter(s.Value)}, {value}) > 0)")} ELSE 0 END)"
            : "0";
    }

    /// <summary><c>constant in p</c>: substring of stored text or member of a stored list.</summary>
    private string InProperty(Value needle, string name)
    {
        if (Access(name) is not var (type, value) || PathOf(name) is not { } path)
        {
            return "NULL";
        }

        if (needle is UndefinedValue)
        {
            return "0";
        }

        if (needle is StringValue { Value: var lone } && HasLoneSurrogate(lone))
        {
            return "NULL";
        }

        var text = needle is StringValue s ? GuardText(value, $"(instr({value}, {Parameter(s.Value)}) > 0)") : "0";
        var elements = $"FROM json_each({Column}, {Parameter(path)})";
        var member = needle switch
        {
            StringValue str when !HasEscapes(str.Value) => $"EXISTS (SELECT 1 {elements} WHERE type = 'text' AND value = {Parameter(str.Value)})",
            BooleanValue b => $"EXISTS (SELECT 1 {elements} WHERE type = '{(b.Value ? "true" : "false")}')",
            NumberValue n => NumericMember(elements, n),
            _ => "NULL",
        };
        return $"(CASE {type} WHEN 'text' THEN {text} WHEN 'array' THEN {member} ELSE 0 END)";
    }

    private string NumericMember(string elements, NumberValue n)
    {
        var exact = IntegralConstant(n) is { } integer
            ? $"EXISTS (SELECT 1 {elements} WHERE type = 'integer' AND typeof(value) = 'integer' AND value = {Parameter(integer)})"
            : "0";
        var (low, high) = Band(n);
        return $"""
            (CASE WHEN {exact} THEN 1
                  WHEN EXISTS (SELECT 1 {elements} WHERE type IN ('integer', 'real') AND value BETWEEN {Parameter(low)} AND {Parameter(high)}) THEN NULL
                  ELSE 0 END)
            """;
    }

    /// <summary>A stored number (the caller checked the JSON type) against a numeric constant.</summary>
    private string Numeric(string sqlOperator, string value, NumberValue n)
    {
        var (low, high) = Band(n);
        var exact = IntegralConstant(n) is { } integer
            ? $"WHEN typeof({value}) = 'integer' THEN ({value} {sqlOperator} {Parameter(integer)}) "
            : "";
        return $"""
            (CASE WHEN abs({value}) > {MaxDouble} THEN 0
                  {exact}WHEN {value} BETWEEN {Parameter(low)} AND {Parameter(high)} THEN NULL
                  ELSE ({value} {sqlOperator} {Parameter(n.Approximate)}) END)
            """;
    }

    private string DateTimeComparison(string sqlOperator, string type, string value, DateTimeValue d)
    {
        // Text of the canonical shape compares as text; whether it names a real date matters only
        // where that comparison holds.
        var instant = d.Value.UtcDateTime;
        var canonical = instant.Ticks % TimeSpan.TicksPerSecond == 0
            ? $"""
              WHEN length({value}) = 19 AND {value} GLOB {CanonicalDate} THEN
                (CASE WHEN NOT ({value} {sqlOperator} {Parameter(IsoDateTime.Format(d.Value))}) THEN 0
                      ELSE {RealDate(value)} END)
              """
            : "";
        return $"""
            (CASE WHEN {type} <> 'text' THEN 0
                  {canonical}
                  WHEN {value} GLOB '[0-9][0-9][0-9][0-9]-*' THEN NULL
                  ELSE 0 END)
            """;
    }

    /// <summary>The columns of the JSON type ('' when missing) and value of a top-level property; null when it cannot be named.</summary>
    private (string Type, string Value)? Access(string name)
    {
        if (PathOf(name) is not { } path)
        {
            return null;
        }

        if (!_accessed.TryGetValue(name, out var index))
        {
            index = _accessed.Count;
            _accessed.Add(name, index);
            var parameter = Parameter(path);
            _paths.Add(parameter);
            _columns.Append(CultureInfo.InvariantCulture, $", json_extract({Column}, {parameter}) AS v{index}");
        }

        // The SQL type of the extracted value tells the JSON type, except where json_extract maps
        // two JSON types to one SQL type: 0 and 1 (numbers, or false and true), text (a string, or
        // the JSON text of a list or an object) and NULL (null, or missing). Only those rows pay
        // for json_type.
        var value = string.Create(CultureInfo.InvariantCulture, $"v{index}");
        var jsonType = $"ifnull(json_type({Column}, {_paths[index]}), '')";
        var type = $"""
            (CASE typeof({value})
              WHEN 'integer' THEN (CASE WHEN {value} IN (0, 1) THEN {jsonType} ELSE 'integer' END)
              WHEN 'real' THEN 'real'
              WHEN 'text' THEN (CASE WHEN substr({value}, 1, 1) IN ('[', '{"{"}') THEN {jsonType} ELSE 'text' END)
              ELSE {jsonType} END)
            """;
        return (type, value);
    }

    private static string GuardText(string value, string test) =>
        $"(CASE WHEN instr({value}, char(92)) > 0 OR instr({value}, char(0)) > 0 THEN NULL ELSE {test} END)";

    /// <summary>
    /// A string constant with an unpaired surrogate reaches SQLite as UTF-8 with U+FFFD in its place,
    /// and would match stored U+FFFD: such a comparison is left to the in-memory evaluation.
    /// </summary>
    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasEscapes(string text) => text.Contains('\\', StringComparison.Ordinal) || text.Contains('\0', StringComparison.Ordinal);

    private static (double Low, double High) Band(NumberValue n)
    {
        var d = n.Approximate;
        var width = Math.Max(Math.Abs(d) * 1e-9, 1e-300);
        return (d - width, d + width);
    }

    private static long? IntegralConstant(NumberValue n) =>
        n.IsExact && decimal.Truncate(n.Exact) == n.Exact && n.Exact >= long.MinValue && n.Exact <= long.MaxValue
            ? (long)n.Exact
            : null;

    private static BinaryOperator Flip(BinaryOperator op) => op switch
    {
        BinaryOperator.Greater => BinaryOperator.Less,
        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
        BinaryOperator.Less => BinaryOperator.Greater,
        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
        _ => op,
    };

    private static string Simplify(string not, string operand) => operand switch
    {
        "1" => "0",
        "0" => "1",
        "NULL" => "NULL",
        _ => $"({not} {operand})",
    };

    /// <summary>
    /// Whether text of the canonical shape names a real instant (year from 1, month 1–12, a day the
    /// month has in the proleptic Gregorian calendar, hour to 23, minute and second to 59): what a
    /// round trip through SQLite's <c>strftime</c> tells, at a fraction of its cost.
    /// </summary>
    private static string RealDate(string value)
    {
        var year = $"CAST(substr({value}, 1, 4) AS INTEGER)";
        return $"""
            ({value} >= '0001'
              AND substr({value}, 6, 2) BETWEEN '01' AND '12'
              AND substr({value}, 9, 2) BETWEEN '01' AND (CASE substr({value}, 6, 2)
                    WHEN '02' THEN (CASE WHEN ({year} % 4 = 0 AND {year} % 100 <> 0) OR {year} % 400 = 0 THEN '29' ELSE '28' END)
                    WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30'
                    ELSE '31' END)
              AND substr({value}, 12, 2) <= '23' AND substr({value}, 15, 2) <= '59' AND substr({value}, 18, 2) <= '59')
            """;
    }

    /// <summary>
    /// The expression as a value (1, 0 or NULL) computed with SQLite's short-circuit evaluation: as
    /// the condition of a CASE, AND and OR skip their right side when the left one decides, which
    /// they do not as a plain value (both operands of <c>a AND b</c> in a result column are
    /// computed). The second condition runs only for rows the first did not decide; filters
    /// usually reject most rows, so the rejection is tested first. Without AND or OR there is
    /// nothing to skip and the expression stays as it is.
    /// </summary>
    private string Decide(string sql) => !_combined || sql is "1" or "0" or "NULL"
        ? sql
        : $"(CASE WHEN NOT {sql} THEN 0 WHEN {sql} THEN 1 END)";

    private string Combine(string op, string left, string right)
    {
        var (absorbing, neutral) = op == "AND" ? ("0", "1") : ("1", "0");
        if (left == absorbing || right == absorbing)
        {
            return absorbing;
        }

        if (left == neutral)
        {
            return right;
        }

        if (right == neutral)
        {
            return left;
        }

        if (left == "NULL" && right == "NULL")
        {
            return "NULL";
        }

        _combined = true;
        return $"({left} {op} {right})";
    }

    private static bool IsConstant(Expr expr) => expr switch
    {
        PropertyAccess => false,
        Unary unary => IsConstant(unary.Operand),
        Binary binary => IsConstant(binary.Left) && IsConstant(binary.Right),
        Call call => IsConstant(call.Argument),
        _ => true,
    };

    private Value Constant(Expr expr) => Evaluator.Evaluate(expr, Empty, _now);

    private string Parameter(object value)
    {
        var name = "$w" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new(name, value));
        return name;
    }
}
