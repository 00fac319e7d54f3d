using Npgsql;
using NpgsqlTypes;
using OpenEngage.Query;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// Translates a where tree into a PostgreSQL boolean expression over the <c>properties</c>
/// <c>jsonb</c> column that is TRUE when the profile surely matches, FALSE when it surely does not,
/// and NULL when SQL cannot decide exactly as <see cref="Evaluator"/> would; those rows are
/// evaluated in memory. The walk is <see cref="WhereSqlTranslator"/>'s; the leaves are
/// <see cref="PostgresWhereDialect"/>'s.
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
internal static class PostgresWhereTranslator
{
    public static WhereTranslation Translate(WhereExpression? where, DateTimeOffset now) =>
        WhereSqlTranslator.Translate(where, now, new PostgresWhereDialect());

    /// <summary>The translation's parameters as new Npgsql parameters, for one command.</summary>
    public static IEnumerable<NpgsqlParameter> CloneParameters(this WhereTranslation translation)
    {
        ArgumentNullException.ThrowIfNull(translation);
        return translation.Parameters.Select(parameter => new NpgsqlParameter(parameter.Name, TypeOf(parameter)) { Value = parameter.Value });
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

    private static NpgsqlDbType TypeOf(SqlParameterValue parameter) => parameter.DataTypeName switch
    {
        "text" => NpgsqlDbType.Text,
        "jsonb" => NpgsqlDbType.Jsonb,
        var other => throw new InvalidOperationException($"No PostgreSQL type is mapped for the parameter type '{other}'."),
    };
}
