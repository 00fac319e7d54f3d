using Microsoft.Data.Sqlite;
using OpenEngage.Query;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Relational;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The shared walk of <see cref="WhereSqlTranslator"/>: constant folding, Kleene's three-valued
/// simplification, and parameters named by the command builder. A wrong fold would be a wrong
/// answer, so the walk is checked against three-valued logic itself, with the translated SQL run
/// in SQLite.
/// </summary>
public sealed class WhereSqlTranslatorTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1 == 1", SqlTruthKind.True)]
    [InlineData("1 == 2", SqlTruthKind.False)]
    [InlineData("not (\"a\" in \"abc\")", SqlTruthKind.False)]
    [InlineData("datetime(\"2024-01-01\") < datetime(NOW)", SqlTruthKind.True)]
    [InlineData("defined(properties[\"a\"]) or 2 > 1", SqlTruthKind.True)]
    [InlineData("properties[\"a\"] == 1 and \"x\" in \"y\"", SqlTruthKind.False)]
    [InlineData("not (properties[\"a\"] == 1 or true)", SqlTruthKind.False)]
    [InlineData("properties[\"a\"] + 1 == 2", SqlTruthKind.Unknown)]
    [InlineData("not (properties[\"a\"] * 2 > properties[\"b\"])", SqlTruthKind.Unknown)]
    [InlineData("properties[\"a\"] + 1 == 2 or properties[\"b\"] - 1 == 0", SqlTruthKind.Unknown)]
    [InlineData("properties[\"a\"] + 1 == 2 or true", SqlTruthKind.True)]
    [InlineData("properties[\"a\"] + 1 == 2 and false", SqlTruthKind.False)]
    [InlineData("properties[\"a\"] == 1 and true", SqlTruthKind.Sql)]
    [InlineData("properties[\"a\"] + 1 == 2 and properties[\"b\"] == 1", SqlTruthKind.Sql)]
    public void Both_dialects_fold_the_same_filter_to_the_same_kind(string filter, SqlTruthKind expected)
    {
        var where = WhereExpression.Parse(filter);
        var sqlite = SqliteWhereTranslator.Translate(where, Now).Where;
        var postgres = PostgresWhereTranslator.Translate(where, Now);

        Assert.Equal(expected, sqlite.Kind);
        Assert.Equal(expected, postgres.Kind);
        Assert.Equal(expected is SqlTruthKind.True, sqlite.IsAll);
        Assert.Equal(expected is SqlTruthKind.False, postgres.IsNone);
        Assert.Equal(expected is SqlTruthKind.Unknown, sqlite.IsUnknown);
        if (expected is not SqlTruthKind.Sql)
        {
            // A constant is the dialect's literal, never a leftover expression.
            Assert.Contains(sqlite.Sql, new[] { "1", "0", "NULL" });
            Assert.Contains(postgres.Sql, new[] { "TRUE", "FALSE", "NULL" });
        }
    }

    [Fact]
    public void A_filter_without_a_property_needs_no_parameter()
    {
        var where = WhereExpression.Parse("(1 + 2 == 3 and \"b\" in \"abc\") or not defined(5)");
        var translation = SqliteWhereTranslator.Translate(where, Now);

        Assert.True(translation.IsAll);
        Assert.Empty(translation.Parameters);
        Assert.Empty(PostgresWhereTranslator.Translate(where, Now).Parameters);
    }

    /// <summary>
    /// Random trees of and/or/not over leaves whose truth the dialect is told: constants (true,
    /// false, unknown) and SQL yielding 1, 0 or NULL. The walk's result, as a constant or as its
    /// SQL run in SQLite, is exactly the three-valued value of the tree.
    /// </summary>
    [Fact]
    public void The_walk_computes_kleenes_three_valued_logic()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var random = new Random(20241129);
        for (var i = 0; i < 3000; i++)
        {
            var (text, expected) = RandomTree(random, depth: random.Next(1, 6));
            var dialect = new GivenLeaves();
            var translation = WhereSqlTranslator.Translate(WhereExpression.Parse(text), Now, dialect);

            bool? actual = translation.Kind switch
            {
                SqlTruthKind.True => true,
                SqlTruthKind.False => false,
                SqlTruthKind.Unknown => null,
                _ => Run(connection, translation.Sql),
            };
            Assert.True(expected == actual, $"{text}: expected {Show(expected)}, the walk gave {translation.Kind} {translation.Sql} = {Show(actual)}");

            // A constant never hides in SQL: a tree whose value does not depend on a SQL leaf folds.
            if (!text.Contains("properties[\"s", StringComparison.Ordinal))
            {
                Assert.NotEqual(SqlTruthKind.Sql, translation.Kind);
            }
        }
    }

    [Theory]
    [InlineData("t", "s1", "and", SqlTruthKind.Sql, "(SELECT 1)")]
    [InlineData("f", "s1", "and", SqlTruthKind.False, "0")]
    [InlineData("u", "u", "and", SqlTruthKind.Unknown, "NULL")]
    [InlineData("u", "s1", "and", SqlTruthKind.Sql, "(NULL AND (SELECT 1))")]
    [InlineData("s0", "u", "or", SqlTruthKind.Sql, "((SELECT 0) OR NULL)")]
    [InlineData("u", "t", "or", SqlTruthKind.True, "1")]
    [InlineData("f", "u", "or", SqlTruthKind.Unknown, "NULL")]
    public void Combining_follows_the_absorbing_and_neutral_constants(string left, string right, string op, SqlTruthKind kind, string sql)
    {
        var translation = WhereSqlTranslator.Translate(WhereExpression.Parse($"properties[\"{left}\"] {op} properties[\"{right}\"]"), Now, new GivenLeaves());

        Assert.Equal(kind, translation.Kind);
        Assert.Equal(sql, translation.Sql);
    }

    [Fact]
    public void Twelve_parameters_get_distinct_names_and_each_binds_its_own_value()
    {
        var builder = new SqlCommandBuilder("$w");
        var placeholders = Enumerable.Range(0, 12).Select(i => builder.AddParameter("value " + i)).ToList();

        Assert.Equal(12, placeholders.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(placeholders, builder.Parameters.Select(p => p.Name));
        Assert.Contains("$w1", placeholders);
        Assert.Contains("$w10", placeholders);

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT $w10 || '|' || $w1 || '|' || $w11;";
        SqlCommandBuilder.Bind(command, builder.Parameters);

        Assert.Equal(12, command.Parameters.Count);
        Assert.Equal("value 10|value 1|value 11", command.ExecuteScalar());
    }

    [Fact]
    public void A_filter_with_more_than_ten_parameters_decides_every_row_as_the_evaluator()
    {
        // Twelve comparisons: parameters $w1 and $w10 … $w12 all exist, and must each bind their own value.
        var where = WhereExpression.Parse(string.Join(" or ", Enumerable.Range(0, 12).Select(i => $"properties[\"p\"] == \"v{i}\"")));
        var translation = SqliteWhereTranslator.Translate(where, Now);
        Assert.True(translation.Parameters.Count > 11);
        Assert.Equal(translation.Parameters.Count, translation.Parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count());

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE profiles (id TEXT PRIMARY KEY, properties TEXT NOT NULL);";
            create.ExecuteNonQuery();
        }

        string[] values = ["v0", "v1", "v10", "v11", "v12", "v2", "v", "x"];
        foreach (var value in values)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO profiles VALUES ($id, json_object('p', $value));";
            insert.Parameters.AddWithValue("$id", "id-" + value);
            insert.Parameters.AddWithValue("$value", value);
            insert.ExecuteNonQuery();
        }

        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT id, ({translation.Sql}) FROM {translation.Rows("1 = 1")} ORDER BY id;";
        SqlCommandBuilder.Bind(select, translation.Parameters);
        var decided = new Dictionary<string, bool?>();
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                decided[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetInt64(1) != 0;
            }
        }

        Assert.Equal(values.Length, decided.Count);
        foreach (var value in values)
        {
            var expected = where.Matches(new System.Text.Json.Nodes.JsonObject { ["p"] = value }, Now);
            Assert.Equal(expected, decided["id-" + value]);
        }
    }

    private static bool? Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {sql};";
        return command.ExecuteScalar() is long value ? value != 0 : null;
    }

    private static string Show(bool? value) => value switch { true => "true", false => "false", null => "unknown" };

    /// <summary>A random tree as where text, and its value in three-valued logic.</summary>
    private static (string Text, bool? Value) RandomTree(Random random, int depth)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            return random.Next(9) switch
            {
                0 => ("properties[\"t\"]", true),
                1 => ("properties[\"f\"]", false),
                2 => ("properties[\"u\"]", null),
                3 => ("properties[\"s1\"]", true),
                4 => ("properties[\"s0\"]", false),
                5 => ("properties[\"sn\"]", null),
                6 => ("1 == 1", true),
                7 => ("\"a\" == \"b\"", false),
                _ => ("properties[\"u\"] + 1 == 2", null),
            };
        }

        switch (random.Next(3))
        {
            case 0:
                {
                    var (text, value) = RandomTree(random, depth - 1);
                    return ($"not ({text})", value is { } b ? !b : null);
                }

            case 1:
                {
                    var (left, l) = RandomTree(random, depth - 1);
                    var (right, r) = RandomTree(random, depth - 1);
                    bool? value = l == false || r == false ? false : l == true && r == true ? true : null;
                    return ($"({left}) and ({right})", value);
                }

            default:
                {
                    var (left, l) = RandomTree(random, depth - 1);
                    var (right, r) = RandomTree(random, depth - 1);
                    bool? value = l == true || r == true ? true : l == false && r == false ? false : null;
                    return ($"({left}) or ({right})", value);
                }
        }
    }

    /// <summary>
    /// Leaves whose truth is given by the property's name: <c>t</c>, <c>f</c>, <c>u</c> are the
    /// constants; <c>s1</c>, <c>s0</c>, <c>sn</c> are SQL yielding 1, 0 and NULL. Every other leaf is unknown.
    /// </summary>
    private sealed class GivenLeaves() : WhereDialect(new SqlCommandBuilder("$w"))
    {
        public override string Literal(SqlTruthKind constant) => constant switch
        {
            SqlTruthKind.True => "1",
            SqlTruthKind.False => "0",
            _ => "NULL",
        };

        public override SqlTruth Truthy(string name) => name switch
        {
            "t" => SqlTruth.True,
            "f" => SqlTruth.False,
            "u" => SqlTruth.Unknown,
            "s1" => SqlTruth.Of("(SELECT 1)"),
            "s0" => SqlTruth.Of("(SELECT 0)"),
            "sn" => SqlTruth.Of("(SELECT NULL)"),
            _ => throw new ArgumentException($"No leaf is given for {name}.", nameof(name)),
        };

        public override SqlTruth Defined(string name) => SqlTruth.Unknown;

        public override SqlTruth Equal(string name, Value constant) => SqlTruth.Unknown;

        public override SqlTruth Order(BinaryOperator op, string name, Value constant) => SqlTruth.Unknown;

        public override SqlTruth NeedleIn(string name, Value haystack) => SqlTruth.Unknown;

        public override SqlTruth InProperty(Value needle, string name) => SqlTruth.Unknown;
    }
}
