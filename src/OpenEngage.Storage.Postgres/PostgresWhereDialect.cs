using System.Globalization;
using System.Text.Json.Nodes;
using OpenEngage.Query;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// PostgreSQL's leaves for <see cref="WhereSqlTranslator"/>: conditions over the <c>properties</c>
/// <c>jsonb</c> column that are TRUE, FALSE or NULL (see <see cref="PostgresWhereTranslator"/> for
/// what each decides).
/// </summary>
internal sealed class PostgresWhereDialect : WhereDialect
{
    private const string Column = "properties";

    /// <summary>At or beyond this magnitude a number rounds to infinity as a double: undefined.</summary>
    private const string Overflow = "1.7976931348623159e308";

    /// <summary>Up to this magnitude a number is a finite double; between the two, unknown.</summary>
    private const string MaxDouble = "1.7976931348623157e308";

    private const string CanonicalDate = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'";

    public PostgresWhereDialect()
        : base(new SqlCommandBuilder("@w"))
    {
    }

    public override string Literal(SqlTruthKind constant) => constant switch
    {
        SqlTruthKind.True => "TRUE",
        SqlTruthKind.False => "FALSE",
        _ => "NULL",
    };

    public override SqlTruth Defined(string name)
    {
        if (Access(name) is not var (key, value, _))
        {
            return SqlTruth.Unknown;
        }

        return SqlTruth.Of($"(CASE WHEN NOT ({Column} ? {key}) THEN FALSE WHEN jsonb_typeof({value}) = 'number' THEN {Finite($"({value})::numeric", "FALSE", "TRUE")} ELSE TRUE END)");
    }

    public override SqlTruth Truthy(string name)
    {
        if (Access(name) is not var (_, value, text))
        {
            return SqlTruth.Unknown;
        }

        var number = $"({value})::numeric";
        return SqlTruth.Of($"""
            (CASE jsonb_typeof({value})
              WHEN 'boolean' THEN ({value} = 'true'::jsonb)
              WHEN 'number' THEN {Finite(number, "FALSE", $"(CASE WHEN {number} = 0 THEN FALSE WHEN abs({number}) < 1e-323 THEN NULL ELSE TRUE END)")}
              WHEN 'string' THEN ({text} <> '')
              WHEN 'array' THEN (jsonb_array_length({value}) > 0)
              WHEN 'object' THEN ({value} <> '{"{}"}'::jsonb)
              ELSE FALSE END)
            """);
    }

    public override SqlTruth Equal(string name, Value constant)
    {
        if (Access(name) is not var (_, value, _))
        {
            return SqlTruth.Unknown;
        }

        switch (constant)
        {
            case UndefinedValue:
                return SqlTruth.False;
            case BooleanValue b:
                return Contains(name, JsonValue.Create(b.Value), "boolean");
            case StringValue s when PostgresWhereTranslator.Sendable(s.Value):
                return Contains(name, JsonValue.Create(s.Value), "string");
            case NumberValue n:
                return SqlTruth.Of($"(CASE WHEN jsonb_typeof({value}) = 'number' THEN {Numeric("=", $"({value})::numeric", n)} ELSE FALSE END)");
            case DateTimeValue d:
                return SqlTruth.Of(DateTimeComparison("=", name, d));
            default:
                return SqlTruth.Unknown;
        }
    }

    /// <summary><c>p == c</c> for a string or boolean: containment (indexable) restricted to the type (containment also finds c inside a list).</summary>
    private SqlTruth Contains(string name, JsonNode constant, string type)
    {
        var (_, value, _) = Access(name)!.Value;
        var document = Parameter(new JsonObject { [name] = constant }.ToJsonString(), "jsonb");
        return SqlTruth.Of($"({Column} @> {document} AND jsonb_typeof({value}) = '{type}')");
    }

    public override SqlTruth Order(BinaryOperator op, string name, Value constant)
    {
        if (Access(name) is not var (_, value, _))
        {
            return SqlTruth.Unknown;
        }

        var sqlOperator = Syntax.Spelling(op);
        return constant switch
        {
            NumberValue n => SqlTruth.Of($"(CASE WHEN jsonb_typeof({value}) = 'number' THEN {Numeric(sqlOperator, $"({value})::numeric", n)} ELSE FALSE END)"),
            DateTimeValue d => SqlTruth.Of(DateTimeComparison(sqlOperator, name, d)),

            // Ordering needs two numbers or a datetime; stored values are never datetimes.
            _ => SqlTruth.False,
        };
    }

    /// <summary><c>p in constant</c>: a substring test when the constant is a string; else undefined.</summary>
    public override SqlTruth NeedleIn(string name, Value haystack)
    {
        if (Access(name) is not var (_, value, text))
        {
            return SqlTruth.Unknown;
        }

        return haystack switch
        {
            StringValue s when PostgresWhereTranslator.Sendable(s.Value) => SqlTruth.Of($"(CASE WHEN jsonb_typeof({value}) = 'string' THEN (strpos({Parameter(s.Value, "text")}, {text}) > 0) ELSE FALSE END)"),
            StringValue => SqlTruth.Unknown,
            _ => SqlTruth.False,
        };
    }

    /// <summary><c>constant in p</c>: substring of stored text or member of a stored list.</summary>
    public override SqlTruth InProperty(Value needle, string name)
    {
        if (Access(name) is not var (_, value, text))
        {
            return SqlTruth.Unknown;
        }

        if (needle is UndefinedValue)
        {
            return SqlTruth.False;
        }

        if (needle is StringValue { Value: var unsendable } && !PostgresWhereTranslator.Sendable(unsendable))
        {
            return SqlTruth.Unknown;
        }

        var substring = needle is StringValue s ? $"(strpos({text}, {Parameter(s.Value, "text")}) > 0)" : "FALSE";
        var member = needle switch
        {
            StringValue str => $"({value} @> {Parameter(new JsonArray(str.Value).ToJsonString(), "jsonb")})",
            BooleanValue b => $"({value} @> {Parameter(new JsonArray(b.Value).ToJsonString(), "jsonb")})",
            NumberValue n => NumericMember(value, n),
            _ => "NULL",
        };
        return SqlTruth.Of($"(CASE jsonb_typeof({value}) WHEN 'string' THEN {substring} WHEN 'array' THEN {member} ELSE FALSE END)");
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
        var (low, high) = Bounds(n);
        return $"""
            (CASE {exact}
                  WHEN {Exists($"({Element} BETWEEN {low} AND {high})")} THEN NULL
                  ELSE FALSE END)
            """;
    }

    /// <summary>A stored number (the caller checked the JSON type) against a numeric constant.</summary>
    private string Numeric(string sqlOperator, string number, NumberValue n)
    {
        var (low, high) = Bounds(n);
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
                (CASE WHEN NOT ({text} COLLATE "C" {sqlOperator} {Parameter(IsoDateTime.Format(d.Value), "text")}) THEN FALSE
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
        if (!PostgresWhereTranslator.Sendable(name))
        {
            return null;
        }

        var key = Parameter(name, "text");
        return (key, $"({Column} -> {key})", $"({Column} ->> {key})");
    }

    private string NumericParameter(NumberValue n) =>
        $"CAST({Parameter(n.IsExact ? n.Exact.ToString(CultureInfo.InvariantCulture) : n.Approximate.ToString("R", CultureInfo.InvariantCulture), "text")} AS numeric)";

    /// <summary>The <see cref="WhereDialect.Band"/> of a number, as numeric parameters.</summary>
    private (string Low, string High) Bounds(NumberValue n)
    {
        var (low, high) = Band(n);
        string Bound(double bound) => $"CAST({Parameter(bound.ToString("R", CultureInfo.InvariantCulture), "text")} AS numeric)";
        return (Bound(low), Bound(high));
    }

    private string Parameter(object value, string dataTypeName) => Command.AddParameter(value, dataTypeName);
}
