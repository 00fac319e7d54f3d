using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using OpenEngage.Query;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// Translates a where tree into a PostgreSQL boolean expression over the <c>properties</c>
/// <c>jsonb</c> column that is TRUE when the profile surely matches, FALSE when it surely does not,
/// and NULL when SQL cannot decide exactly as <see cref="Evaluator"/> would; those rows are
/// evaluated in memory.
/// </summary>
/// <remarks>
/// SQL's three-valued <c>AND</c>/<c>OR</c>/<c>NOT</c> keep "unknown" exact. Every leaf is exact or NULL:
/// <list type="bullet">
/// <item>sub-expressions without a property are evaluated once, in memory, to a constant;</item>
/// <item><c>defined(p)</c>, the truthiness of <c>p</c>, and <c>p</c> compared with or tested by
/// <c>in</c> against a constant translate; anything else is unknown;</item>
/// <item>strings and booleans: <c>jsonb</c> holds decoded text, so equality (written as containment,
/// <c>properties @&gt; {"p": c}</c>, which a GIN index serves) and <c>strpos</c> are exact;</item>
/// <item>numbers: <c>jsonb</c> holds them exactly (<c>numeric</c>). A stored number that decimal
/// holds exactly (at most 9 fractional digits, below 1e19) compares exactly against an exact
/// constant; any other pair is decided by <c>numeric</c> unless the stored value lies within a
/// relative 1e-9 of the constant, where the evaluator's rounding could differ (unknown). A stored
/// number beyond double's range is undefined to the evaluator;</item>
/// <item>datetimes: stored text of the canonical form <c>YYYY-MM-DDTHH:MM:SS</c> compares as text
/// against the constant in that form, and is checked to be a real date where the comparison
/// holds; other text that starts like a date is unknown; anything else is not a datetime.</item>
/// </list>
/// </remarks>
internal sealed class PostgresWhereTranslator
{
    private const string Column = "properties";

    /// <summary>At or beyond this magnitude a number rounds to infinity as a double: undefined.</summary>
    private const string Overflow = "1.7976931348623159e308";

    /// <summary>Up to this magnitude a number is a finite double; between the two, unknown.</summary>
    private const string MaxDouble = "1.7976931348623157e308";

    private const string CanonicalDate = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'";
    private static readonly JsonObject Empty = [];

    private readonly DateTimeOffset _now;
    private readonly List<NpgsqlParameter> _parameters = [];

    private PostgresWhereTranslator(DateTimeOffset now)
    {
        _now = now;
    }

    /// <summary>The translated expression (TRUE, FALSE or NULL per row) and its parameters.</summary>
    public sealed record Translation(string Sql, IReadOnlyList<NpgsqlParameter> Parameters)
    {
        public bool IsAll => Sql == "TRUE";

        public bool IsNone => Sql == "FALSE";

        public bool IsUnknown => Sql == "NULL";

        /// <summary>Copies of the parameters, for one command.</summary>
        public IEnumerable<NpgsqlParameter> CloneParameters() => Parameters.Select(p => p.Clone());
    }

    public static Translation Translate(WhereExpression? where, DateTimeOffset now)
    {
        if (where is null)
        {
            return new Translation("TRUE", []);
        }

        var translator = new PostgresWhereTranslator(now);
        var sql = translator.Truth(where.Root);
        return new Translation(sql, translator._parameters);
    }

    /// <summary>Whether PostgreSQL can receive the text unchanged: no U+0000 and no lone surrogate.</summary>
    public static bool Sendable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private string Truth(Expr expr)
    {
        if (IsConstant(expr))
        {
            return Semantics.IsTruthy(Constant(expr)) ? "TRUE" : "FALSE";
        }

        switch (expr)
        {
            case Unary { Operator: UnaryOperator.Not } not:
                return Negate(Truth(not.Operand));

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
                    return equality.Operator == BinaryOperator.Equal ? sql : Negate(sql);
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
        if (Access(name) is not var (key, value, _))
        {
            return "NULL";
        }

        return $"(CASE WHEN NOT ({Column} ? {key}) THEN FALSE WHEN jsonb_typeof({value}) = 'number' THEN {Finite($"({value})::numeric", "FALSE", "TRUE")} ELSE TRUE END)";
    }

    private string Truthy(string name)
    {
        if (Access(name) is not var (_, value, text))
        {
            return "NULL";
        }

        var number = $"({value})::numeric";
        return $"""
            (CASE jsonb_typeof({value})
              WHEN 'boolean' THEN ({value} = 'true'::jsonb)
              WHEN 'number' THEN {Finite(number, "FALSE", $"(CASE WHEN {number} = 0 THEN FALSE WHEN abs({number}) < 1e-323 THEN NULL ELSE TRUE END)")}
              WHEN 'string' THEN ({text} <> '')
              WHEN 'array' THEN (jsonb_array_length({value}) > 0)
              WHEN 'object' THEN ({value} <> '{"{}"}'::jsonb)
              ELSE FALSE END)
            """;
    }

    private string Equal(string name, Value constant)
    {
        if (Access(name) is not var (_, value, _))
        {
            return "NULL";
        }

        switch (constant)
        {
            case UndefinedValue:
                return "FALSE";
            case BooleanValue b:
                return Contains(name, JsonValue.Create(b.Value), "boolean");
            case StringValue s when Sendable(s.Value):
                return Contains(name, JsonValue.Create(s.Value), "string");
            case NumberValue n:
                return $"(CASE WHEN jsonb_typeof({value}) = 'number' THEN {Numeric("=", $"({value})::numeric", n)} ELSE FALSE END)";
            case DateTimeValue d:
                return DateTimeComparison("=", name, d);
            default:
                return "NULL";
        }
    }

    /// <summary><c>p == c</c> for a string or boolean: containment (indexable) restricted to the type (containment also finds c inside a list).</summary>
    private string Contains(string name, JsonNode constant, string type)
    {
        var (_, value, _) = Access(name)!.Value;
        var document = Parameter(new JsonObject { [name] = constant }.ToJsonString(), NpgsqlDbType.Jsonb);
        return $"({Column} @> {document} AND jsonb_typeof({value}) = '{type}')";
    }

    private string Order(BinaryOperator op, string name, Value constant)
    {
        if (Access(name) is not var (_, value, _))
        {
            return "NULL";
        }

        var sqlOperator = Syntax.Spelling(op);
        return constant switch
        {
            NumberValue n => $"(CASE WHEN jsonb_typeof({value}) = 'number' THEN {Numeric(sqlOperator, $"({value})::numeric", n)} ELSE FALSE END)",
            DateTimeValue d => DateTimeComparison(sqlOperator, name, d),

            // Ordering needs two numbers or a datetime; stored values are never datetimes.
            _ => "FALSE",
        };
    }

    /// <summary><c>p in constant</c>: a substring test when the constant is a string; else undefined.</summary>
    private string NeedleIn(string name, Value haystack)
    {
        if (Access(name) is not var (_, value, text))
        {
            return "NULL";
        }

        return haystack switch
        {
            StringValue s when Sendable(s.Value) => $"(CASE WHEN jsonb_typeof({value}) = 'string' THEN (strpos({Parameter(s.Value, NpgsqlDbType.Text)}, {text}) > 0) ELSE FALSE END)",
            StringValue => "NULL",
            _ => "FALSE",
        };
    }

    /// <summary><c>constant in p</c>: substring of stored text or member of a stored list.</summary>
    private string InProperty(Value needle, string name)
    {
        if (Access(name) is not var (_, value, text))
        {
            return "NULL";
        }

        if (needle is UndefinedValue)
        {
            return "FALSE";
        }

        if (needle is StringValue { Value: var unsendable } && !Sendable(unsendable))
        {
            return "NULL";
        }

        var substring = needle is StringValue s ? $"(strpos({text}, {Parameter(s.Value, NpgsqlDbType.Text)}) > 0)" : "FALSE";
        var member = needle switch
        {
            StringValue str => $"({value} @> {Parameter(new JsonArray(str.Value).ToJsonString(), NpgsqlDbType.Jsonb)})",
            BooleanValue b => $"({value} @> {Parameter(new JsonArray(b.Value).ToJsonString(), NpgsqlDbType.Jsonb)})",
            NumberValue n => NumericMember(value, n),
            _ => "NULL",
        };
        return $"(CASE jsonb_typeof({value}) WHEN 'string' THEN {substring} WHEN 'array' THEN {member} ELSE FALSE END)";
    }

    private string NumericMember(string value, NumberValue n)
    {
        const string Element = "e::numeric";

        // CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and a cast of a non-number fails.
        string Exists(string condition) =>
            $"EXISTS (SELECT 1 FROM jsonb_array_elements({value}) AS x(e) WHERE CASE WHEN jsonb_typeof(e) = 'number' THEN {condition} ELSE FALSE END)";
        var exact = n.IsExact
            ? $"WHEN {Exists($"({ExactlyDecimal(Element)} AND {Element} = {NumericParameter(n)})")} THEN TRUE"
            : "";
        var (low, high) = Band(n);
        return $"""
            (CASE {exact}
                  WHEN {Exists($"({Element} BETWEEN {low} AND {high})")} THEN NULL
                  ELSE FALSE END)
            """;
    }

    /// <summary>A stored number (the caller checked the JSON type) against a numeric constant.</summary>
    private string Numeric(string sqlOperator, string number, NumberValue n)
    {
        var (low, high) = Band(n);
        var constant = NumericParameter(n);
        var exact = n.IsExact ? $"WHEN {ExactlyDecimal(number)} THEN ({number} {sqlOperator} {constant}) " : "";
        return Finite(number, "FALSE", $"""
            (CASE {exact}WHEN {number} BETWEEN {low} AND {high} THEN NULL
                  ELSE ({number} {sqlOperator} {constant}) END)
            """);
    }

    /// <summary>A stored number the evaluator holds as an exact decimal: few fractional digits, moderate size.</summary>
    private static string ExactlyDecimal(string number) => $"(min_scale({number}) <= 9 AND abs({number}) < 1e19)";

    /// <summary><paramref name="finite"/> for a number the evaluator reads as a double; <paramref name="undefined"/> beyond; unknown at the edge.</summary>
    private static string Finite(string number, string undefined, string finite) =>
        $"(CASE WHEN abs({number}) >= {Overflow} THEN {undefined} WHEN abs({number}) > {MaxDouble} THEN NULL ELSE {finite} END)";

    private string DateTimeComparison(string sqlOperator, string name, DateTimeValue d)
    {
        var (_, value, text) = Access(name)!.Value;
        var instant = d.Value.UtcDateTime;
        var canonical = instant.Ticks % TimeSpan.TicksPerSecond == 0
            ? $"""
              WHEN {text} ~ {CanonicalDate} THEN
                (CASE WHEN NOT ({text} COLLATE "C" {sqlOperator} {Parameter(IsoDateTime.Format(d.Value), NpgsqlDbType.Text)}) THEN FALSE
                      ELSE {RealDate(text)} END)
              """
            : "";
        return $"""
            (CASE WHEN jsonb_typeof({value}) IS DISTINCT FROM 'string' THEN FALSE
                  {canonical}
                  WHEN {text} ~ '^[0-9]{"{4}"}-' THEN NULL
                  ELSE FALSE END)
            """;
    }

    /// <summary>TRUE when canonical text names a real instant; NULL (unknown) for anything else.</summary>
    private static string RealDate(string text)
    {
        string Part(int start, int length) => $"substr({text}, {start}, {length})";
        return $"""
            (CASE WHEN {Part(1, 4)} >= '0001' AND {Part(6, 2)} BETWEEN '01' AND '12' AND {Part(9, 2)} >= '01'
                       AND {Part(12, 2)} <= '23' AND {Part(15, 2)} <= '59' AND {Part(18, 2)} <= '59' THEN
                    (CASE WHEN {Part(9, 2)} <= '28' THEN TRUE
                          WHEN {Part(9, 2)}::int <= extract(day FROM make_date({Part(1, 4)}::int, {Part(6, 2)}::int, 1) + interval '1 month - 1 day') THEN TRUE
                          ELSE NULL END)
                  ELSE NULL END)
            """;
    }

    /// <summary>The key parameter, the <c>jsonb</c> value and its text (<c>-&gt;&gt;</c>) of a top-level property; null when it cannot be named.</summary>
    private (string Key, string Value, string Text)? Access(string name)
    {
        if (!Sendable(name))
        {
            return null;
        }

        var key = Parameter(name, NpgsqlDbType.Text);
        return (key, $"({Column} -> {key})", $"({Column} ->> {key})");
    }

    private string NumericParameter(NumberValue n) =>
        $"CAST({Parameter(n.IsExact ? n.Exact.ToString(CultureInfo.InvariantCulture) : n.Approximate.ToString("R", CultureInfo.InvariantCulture), NpgsqlDbType.Text)} AS numeric)";

    private (string Low, string High) Band(NumberValue n)
    {
        var d = n.Approximate;
        var width = Math.Max(Math.Abs(d) * 1e-9, 1e-300);
        string Bound(double bound) => $"CAST({Parameter(bound.ToString("R", CultureInfo.InvariantCulture), NpgsqlDbType.Text)} AS numeric)";
        return (Bound(d - width), Bound(d + width));
    }

    private static BinaryOperator Flip(BinaryOperator op) => op switch
    {
        BinaryOperator.Greater => BinaryOperator.Less,
        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
        BinaryOperator.Less => BinaryOperator.Greater,
        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
        _ => op,
    };

    private static string Negate(string operand) => operand switch
    {
        "TRUE" => "FALSE",
        "FALSE" => "TRUE",
        "NULL" => "NULL",
        _ => $"(NOT {operand})",
    };

    private static string Combine(string op, string left, string right)
    {
        var (absorbing, neutral) = op == "AND" ? ("FALSE", "TRUE") : ("TRUE", "FALSE");
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

        return left == "NULL" && right == "NULL" ? "NULL" : $"({left} {op} {right})";
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

    private string Parameter(object value, NpgsqlDbType type)
    {
        var name = "w" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        return "@" + name;
    }
}
