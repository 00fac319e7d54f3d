using System.Globalization;
using OpenEngage.Query;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// SQLite's leaves for <see cref="WhereSqlTranslator"/>: conditions over the <c>properties</c> JSON
/// column that yield 1, 0 or NULL (see <see cref="SqliteWhereTranslator"/> for what each decides).
/// Each property a condition names is extracted once per row, as a column of the rows the condition
/// runs on (<see cref="Columns"/>): its value (<c>vN</c>, <c>json_extract</c>) or its JSON text
/// (<c>jN</c>, <c>-&gt;</c>), whichever its leaves read; the rare rows a leaf's cheaper test leaves
/// open extract the value again where they need it.
/// </summary>
internal sealed class SqliteWhereDialect : WhereDialect
{
    private const string Column = "properties";
    private const string MaxDouble = "1.7976931348623157e308";

    /// <summary>How much larger <see cref="Combine"/>'s copies may make one translation's SQL text.</summary>
    private const int MaxCopiedText = 64 * 1024;
    private const string CanonicalDate = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'";

    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Name), string> _extracted = [];
    private readonly System.Text.StringBuilder _columns = new();
    private int _copiedText;
    private bool _plain;

    public SqliteWhereDialect()
        : base(new SqlCommandBuilder("$w"))
    {
    }

    /// <summary>The extracted columns, each as <c>, json_extract(properties, $wN) AS vI</c> or <c>, (properties -&gt; $wN) AS jI</c>.</summary>
    public string Columns => _columns.ToString();

    public override string Literal(SqlTruthKind constant) => constant switch
    {
        SqlTruthKind.True => "1",
        SqlTruthKind.False => "0",
        _ => "NULL",
    };

    public override SqlTruth Defined(string name)
    {
        if (Access(name) is not var (_, value, path))
        {
            return SqlTruth.Unknown;
        }

        // A value that is NULL in SQL is JSON null (defined) or missing; a number beyond double's
        // range is undefined to the evaluator.
        return SqlTruth.Of($"""
            (CASE WHEN {value} IS NULL THEN (json_type({Column}, {path}) IS NOT NULL)
                  WHEN typeof({value}) = 'real' AND abs({value}) > {MaxDouble} THEN NULL
                  ELSE 1 END)
            """);
    }

    public override SqlTruth Truthy(string name)
    {
        if (Access(name) is not var (type, value, _))
        {
            return SqlTruth.Unknown;
        }

        return SqlTruth.Of($"""
            (CASE {type}
              WHEN 'true' THEN 1
              WHEN 'integer' THEN ({value} <> 0)
              WHEN 'real' THEN (CASE WHEN {value} = 0 OR abs({value}) > {MaxDouble} THEN NULL ELSE 1 END)
              WHEN 'text' THEN {GuardText(value, $"({value} <> '')")}
              WHEN 'array' THEN (json_array_length({value}) > 0)
              WHEN 'object' THEN ({value} <> '{"{}"}')
              ELSE 0 END)
            """);
    }

    public override SqlTruth Equal(string name, Value constant)
    {
        if (constant is StringValue { Value: var plain } && !HasEscapes(plain) && !HasLoneSurrogate(plain) && JsonText(name) is { } json)
        {
            // The JSON text of a string equal to a constant without a backslash is the constant in
            // quotes; JSON text without a backslash that is not is another string (its text is its
            // value) or no string at all. Text with escapes is left to the exact test.
            return SqlTruth.Of($"""
                (CASE WHEN {json} = {Command.AddParameter("\"" + plain + "\"")} THEN 1
                      WHEN instr({json}, char(92)) = 0 OR {json} IS NULL THEN 0
                      ELSE {ExactEqual(Inline(name)!.Value, constant).Sql} END)
                """);
        }

        return Access(name) is { } property ? ExactEqual(property, constant) : SqlTruth.Unknown;
    }

    private SqlTruth ExactEqual((string Type, string Value, string Path) property, Value constant)
    {
        var (type, value, path) = property;
        switch (constant)
        {
            case UndefinedValue:
                return SqlTruth.False;
            case BooleanValue b:
                return SqlTruth.Of($"({type} = '{(b.Value ? "true" : "false")}')");
            case StringValue s when HasLoneSurrogate(s.Value):
                return SqlTruth.Unknown;
            case StringValue s:
                return SqlTruth.Of($"(CASE WHEN {type} = 'text' THEN {GuardText(value, $"({value} = {Command.AddParameter(s.Value)})")} ELSE 0 END)");
            case NumberValue n:
                return SqlTruth.Of(NumberComparison("=", value, path, n));
            case DateTimeValue d:
                return SqlTruth.Of(DateTimeComparison("=", value, d));
            default:
                return SqlTruth.Unknown;
        }
    }

    public override SqlTruth Order(BinaryOperator op, string name, Value constant)
    {
        if (Access(name) is not var (_, value, path))
        {
            return SqlTruth.Unknown;
        }

        var sqlOperator = Syntax.Spelling(op);
        return constant switch
        {
            NumberValue n => SqlTruth.Of(NumberComparison(sqlOperator, value, path, n)),
            DateTimeValue d => SqlTruth.Of(DateTimeComparison(sqlOperator, value, d)),

            // Ordering needs two numbers or a datetime; stored values are never datetimes.
            _ => SqlTruth.False,
        };
    }

    /// <summary><c>p in constant</c>: a substring test when the constant is a string; else undefined.</summary>
    public override SqlTruth NeedleIn(string name, Value haystack)
    {
        if (Access(name) is not var (type, value, _))
        {
            return SqlTruth.Unknown;
        }

        if (haystack is StringValue { Value: var lone } && HasLoneSurrogate(lone))
        {
            return SqlTruth.Unknown;
        }

        return haystack is StringValue s
            ? SqlTruth.Of($"(CASE WHEN {type} = 'text' THEN {GuardText(value, $"(instr({Command.AddParameter(s.Value)}, {value}) > 0)")} ELSE 0 END)")
            : SqlTruth.False;
    }

    /// <summary><c>constant in p</c>: substring of stored text or member of a stored list.</summary>
    public override SqlTruth InProperty(Value needle, string name)
    {
        if (needle is StringValue { Value: var plain } && !HasEscapes(plain) && !HasLoneSurrogate(plain) && !plain.Contains('"', StringComparison.Ordinal) && !plain.StartsWith(',')
            && JsonText(name) is { } json && Inline(name) is { } inline)
        {
            // On the JSON text of the value, without a backslash (so every string in it is written
            // as it is, and quotes only delimit strings): without the needle, neither a string
            // holding it nor a list with it as an element; a string holds it when its text does
            // (the needle has no quote, so it lies between the string's quotes); a list of
            // scalars only (no bracket after the first, no brace) has it as an element exactly
            // when its text holds it in quotes (two quotes around text that does not start with a
            // comma open and close one string); any other value is neither. Text with escapes
            // and lists holding lists or objects are left to the exact test.
            var exact = ExactInProperty(inline, name, needle).Sql;
            return SqlTruth.Of($"""
                (CASE WHEN {json} IS NULL THEN 0
                      WHEN instr({json}, {Command.AddParameter(plain)}) = 0 THEN (CASE WHEN instr({json}, char(92)) = 0 THEN 0 ELSE {exact} END)
                      WHEN instr({json}, char(92)) > 0 THEN {exact}
                      WHEN substr({json}, 1, 1) = '"' THEN 1
                      WHEN substr({json}, 1, 1) <> '[' THEN 0
                      WHEN instr(substr({json}, 2), '[') = 0 AND instr({json}, '{"{"}') = 0 THEN (instr({json}, {Command.AddParameter("\"" + plain + "\"")}) > 0)
                      ELSE {exact} END)
                """);
        }

        return Access(name) is { } property ? ExactInProperty(property, name, needle) : SqlTruth.Unknown;
    }

    private SqlTruth ExactInProperty((string Type, string Value, string Path) property, string name, Value needle)
    {
        var (type, value, _) = property;
        if (SqliteWhereTranslator.PathOf(name) is not { } path)
        {
            return SqlTruth.Unknown;
        }

        if (needle is UndefinedValue)
        {
            return SqlTruth.False;
        }

        if (needle is StringValue { Value: var lone } && HasLoneSurrogate(lone))
        {
            return SqlTruth.Unknown;
        }

        var text = needle is StringValue s ? GuardText(value, $"(instr({value}, {Command.AddParameter(s.Value)}) > 0)") : "0";
        var elements = $"FROM json_each({Column}, {Command.AddParameter(path)})";
        var member = needle switch
        {
            StringValue str when !HasEscapes(str.Value) => StringMember(value, elements, str.Value),
            BooleanValue b => $"EXISTS (SELECT 1 {elements} WHERE type = '{(b.Value ? "true" : "false")}')",
            NumberValue n => NumericMember(elements, n),
            _ => "NULL",
        };
        return SqlTruth.Of($"(CASE {type} WHEN 'text' THEN {text} WHEN 'array' THEN {member} ELSE 0 END)");
    }

    /// <summary>
    /// Whether the string <paramref name="needle"/> is an element of the list whose JSON text is
    /// <paramref name="value"/>. Reading the elements (<c>json_each</c>) costs far more than a
    /// substring test, so the text is tested first: without a backslash every string in it is
    /// written as it is, so a list holding the needle has <c>"needle"</c> in its text, and a list
    /// without that text does not hold it (exactly: 0). Only lists with it, or with escapes, are read.
    /// </summary>
    private string StringMember(string value, string elements, string needle)
    {
        var exact = $"EXISTS (SELECT 1 {elements} WHERE type = 'text' AND value = {Command.AddParameter(needle)})";
        return $"(CASE WHEN instr({value}, char(92)) = 0 AND instr({value}, {Command.AddParameter("\"" + needle + "\"")}) = 0 THEN 0 ELSE {exact} END)";
    }

    private string NumericMember(string elements, NumberValue n)
    {
        var exact = IntegralConstant(n) is { } integer
            ? $"EXISTS (SELECT 1 {elements} WHERE type = 'integer' AND typeof(value) = 'integer' AND value = {Command.AddParameter(integer)})"
            : "0";
        var (low, high) = Band(n);
        return $"""
            (CASE WHEN {exact} THEN 1
                  WHEN EXISTS (SELECT 1 {elements} WHERE type IN ('integer', 'real') AND value BETWEEN {Command.AddParameter(low)} AND {Command.AddParameter(high)}) THEN NULL
                  ELSE 0 END)
            """;
    }

    /// <summary>
    /// A stored number (the caller checked the JSON type) against a numeric constant. Beyond
    /// double's range is no number to the evaluator (tested without <c>abs</c>, which fails on the
    /// smallest 64-bit integer).
    /// </summary>
    private string Numeric(string sqlOperator, string value, NumberValue n)
    {
        var (low, high) = Band(n);
        var exact = IntegralConstant(n) is { } integer
            ? $"WHEN typeof({value}) = 'integer' THEN ({value} {sqlOperator} {Command.AddParameter(integer)}) "
            : "";
        return $"""
            (CASE WHEN {value} > {MaxDouble} OR {value} < -{MaxDouble} THEN 0
                  {exact}WHEN {value} BETWEEN {Command.AddParameter(low)} AND {Command.AddParameter(high)} THEN NULL
                  ELSE ({value} {sqlOperator} {Command.AddParameter(n.Approximate)}) END)
            """;
    }

    /// <summary>
    /// A stored value against a numeric constant. The SQL type of the value decides most rows alone:
    /// only 0 and 1 can be booleans (json_type tells, and only where the comparison holds).
    /// </summary>
    private string NumberComparison(string sqlOperator, string value, string path, NumberValue n)
    {
        var integer = IntegralConstant(n) is { } constant
            ? $"""
              (CASE WHEN NOT ({value} {sqlOperator} {Command.AddParameter(constant)}) THEN 0
                    WHEN {value} IN (0, 1) THEN (json_type({Column}, {path}) = 'integer')
                    ELSE 1 END)
              """
            : $"(CASE WHEN {value} IN (0, 1) AND json_type({Column}, {path}) <> 'integer' THEN 0 ELSE {Numeric(sqlOperator, value, n)} END)";
        var byType = $"(CASE typeof({value}) WHEN 'integer' THEN {integer} WHEN 'real' THEN {Numeric(sqlOperator, value, n)} ELSE 0 END)";

        // A number below the constant's band cannot be greater, one above it cannot be less, and
        // text (above every number in SQL's order) is no number: those rows are 0 at one comparison.
        var (low, high) = Band(n);
        var beyond = sqlOperator switch
        {
            ">" or ">=" => $"{value} < {Command.AddParameter(low)}",
            "<" or "<=" => $"{value} > {Command.AddParameter(high)}",
            _ => $"{value} < {Command.AddParameter(low)} OR {value} > {Command.AddParameter(high)}",
        };
        return $"(CASE WHEN {beyond} THEN 0 ELSE {byType} END)";
    }

    /// <summary>
    /// A stored value against a datetime constant. Only text of the two shapes below can be a
    /// datetime: NULL matches neither, nor does a number's text, nor the JSON text of a list or an
    /// object (it starts with a bracket), so no row needs its JSON type.
    /// </summary>
    private string DateTimeComparison(string sqlOperator, string value, DateTimeValue d)
    {
        // Text of the canonical shape compares as text; whether it names a real date matters only
        // where that comparison holds.
        var instant = d.Value.UtcDateTime;
        var canonical = instant.Ticks % TimeSpan.TicksPerSecond == 0
            ? $"""
              WHEN length({value}) = 19 AND {value} GLOB {CanonicalDate} THEN
                (CASE WHEN NOT ({value} {sqlOperator} {Command.AddParameter(IsoDateTime.Format(d.Value))}) THEN 0
                      ELSE {RealDate(value)} END)
              """
            : "";
        return $"""
            (CASE {canonical}
                  WHEN {value} GLOB '[0-9][0-9][0-9][0-9]-*' THEN NULL
                  ELSE 0 END)
            """;
    }

    /// <summary>
    /// The JSON type ('' when missing) and the value of a top-level property, as columns, and the
    /// parameter of its path; null when it cannot be named. The type costs a <c>json_type</c> for
    /// some values: leaves test it only for the rows the value alone does not decide.
    /// </summary>
    private (string Type, string Value, string Path)? Access(string name) =>
        PathParameter(name) is { } path ? Typed(ColumnOf("v", name, $"json_extract({Column}, {path})"), path) : null;

    /// <summary>
    /// As <see cref="Access"/>, but the value is extracted where the condition uses it rather than
    /// once per row: for the rare rows a leaf's cheaper test leaves open.
    /// </summary>
    private (string Type, string Value, string Path)? Inline(string name) =>
        PathParameter(name) is { } path ? Typed($"json_extract({Column}, {path})", path) : null;

    /// <summary>
    /// The JSON text of a top-level property as a column (<c>properties -&gt; path</c>: NULL when
    /// missing, a string with its quotes): its first character tells the JSON type, and it holds a
    /// backslash exactly when a string in it is written with an escape.
    /// </summary>
    private string? JsonText(string name) =>
        PathParameter(name) is { } path ? ColumnOf("j", name, $"({Column} -> {path})") : null;

    private string? PathParameter(string name)
    {
        if (SqliteWhereTranslator.PathOf(name) is not { } path)
        {
            return null;
        }

        if (!_paths.TryGetValue(name, out var parameter))
        {
            parameter = Command.AddParameter(path);
            _paths.Add(name, parameter);
        }

        return parameter;
    }

    /// <summary>The column <paramref name="expression"/> of the rows, added once per kind and property.</summary>
    private string ColumnOf(string kind, string name, string expression)
    {
        if (!_extracted.TryGetValue((kind, name), out var column))
        {
            column = string.Create(CultureInfo.InvariantCulture, $"{kind}{_extracted.Count}");
            _extracted.Add((kind, name), column);
            _columns.Append(CultureInfo.InvariantCulture, $", {expression} AS {column}");
        }

        return column;
    }

    private static (string Type, string Value, string Path) Typed(string value, string path)
    {
        // The SQL type of the extracted value tells the JSON type, except where json_extract maps
        // two JSON types to one SQL type: 0 and 1 (numbers, or false and true), text (a string, or
        // the JSON text of a list or an object) and NULL (null, or missing). Only those rows pay
        // for json_type.
        var jsonType = $"ifnull(json_type({Column}, {path}), '')";
        var type = $"""
            (CASE typeof({value})
              WHEN 'integer' THEN (CASE WHEN {value} IN (0, 1) THEN {jsonType} ELSE 'integer' END)
              WHEN 'real' THEN 'real'
              WHEN 'text' THEN (CASE WHEN substr({value}, 1, 1) IN ('[', '{"{"}') THEN {jsonType} ELSE 'text' END)
              ELSE {jsonType} END)
            """;
        return (type, value, path);
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

    private static long? IntegralConstant(NumberValue n) =>
        n.IsExact && decimal.Truncate(n.Exact) == n.Exact && n.Exact >= long.MinValue && n.Exact <= long.MaxValue
            ? (long)n.Exact
            : null;

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
    /// Kleene's AND or OR as a value (1, 0 or NULL) that computes each side at most once and the
    /// right side only when the left one does not decide: <c>CASE left WHEN …</c> computes the left
    /// side once and compares the result, and only one branch with the right side runs. (SQL's own
    /// <c>a AND b</c> as a value computes both sides; as the condition of a CASE it skips the right
    /// side, but a CASE that tells 0 from NULL has to test it twice.) The right side is written
    /// twice in the text, so once the copies would make the SQL larger by more than
    /// <see cref="MaxCopiedText"/>, SQL's own operator is used instead.
    /// </summary>
    public override string Combine(string op, string left, string right)
    {
        if (_copiedText + right.Length > MaxCopiedText)
        {
            _plain = true;
            return base.Combine(op, left, right);
        }

        _copiedText += right.Length;
        return op == "AND"
            ? $"(CASE {left} WHEN 0 THEN 0 WHEN 1 THEN {right} ELSE (CASE {right} WHEN 0 THEN 0 END) END)"
            : $"(CASE {left} WHEN 1 THEN 1 WHEN 0 THEN {right} ELSE (CASE {right} WHEN 1 THEN 1 END) END)";
    }

    /// <summary>
    /// The expression as it is when every AND and OR in it is <see cref="Combine"/>'s CASE form.
    /// With SQL's own operators in it, the expression becomes the condition of a CASE, where AND
    /// and OR skip their right side when the left one decides (as a plain value both sides are
    /// computed). The second condition runs only for rows the first did not decide; filters
    /// usually reject most rows, so the rejection is tested first.
    /// </summary>
    public override string Finish(string sql, bool combined) => combined && _plain
        ? $"(CASE WHEN NOT {sql} THEN 0 WHEN {sql} THEN 1 END)"
        : sql;
}
