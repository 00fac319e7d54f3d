using OpenEngage.Query;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Translates a where tree into a SQLite expression over the <c>properties</c> JSON column that
/// yields 1 when the profile surely matches, 0 when it surely does not, and NULL when SQL cannot
/// decide exactly as <see cref="Evaluator"/> would; those rows are evaluated in memory. The walk
/// is <see cref="WhereSqlTranslator"/>'s; the leaves are <see cref="SqliteWhereDialect"/>'s.
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
internal static class SqliteWhereTranslator
{
    private const string Column = "properties";

    /// <summary>
    /// The translated expression (1, 0 or NULL per row), its parameters, and the columns it reads:
    /// the value (<c>v0</c>, <c>v1</c>, …) of each property it names, extracted once per row by
    /// <see cref="Rows"/> however often the expression uses it.
    /// </summary>
    public sealed record Translation(WhereTranslation Where, string Columns)
    {
        public string Sql => Where.Sql;

        public IReadOnlyList<SqlParameterValue> Parameters => Where.Parameters;

        /// <summary>
        /// The rows <see cref="Sql"/> is evaluated on: <c>id</c>, <c>properties</c>, the extracted
        /// columns and <paramref name="extra"/> of the profiles <paramref name="scope"/> selects, in
        /// <paramref name="orderBy"/> order. The LIMIT keeps SQLite from flattening the subquery
        /// into the outer query, which would extract a value again at every use.
        /// </summary>
        public string Rows(string scope, string extra = "", string orderBy = "") =>
            $"(SELECT id, {Column}{Columns}{extra} FROM profiles WHERE {scope} {orderBy} LIMIT -1)";

        /// <summary>True when the expression is the constant 1 (every row matches).</summary>
        public bool IsAll => Where.IsAll;

        /// <summary>True when the expression is the constant 0 (no row matches).</summary>
        public bool IsNone => Where.IsNone;

        /// <summary>True when SQL decides nothing: every row is evaluated in memory.</summary>
        public bool IsUnknown => Where.IsUnknown;
    }

    public static Translation Translate(WhereExpression? where, DateTimeOffset now)
    {
        var dialect = new SqliteWhereDialect();
        var translation = WhereSqlTranslator.Translate(where, now, dialect);
        return new Translation(translation, dialect.Columns);
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
}
