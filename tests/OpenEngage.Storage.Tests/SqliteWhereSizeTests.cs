using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Query;
using OpenEngage.Storage.Relational;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The SQLite translation writes the right side of each and/or twice; a filter at the size bound
/// still translates to SQL of bounded size that decides every row as the evaluator does.
/// </summary>
public sealed class SqliteWhereSizeTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("or")]
    [InlineData("and")]
    public void A_balanced_filter_of_500_terms_translates_to_bounded_sql_that_decides_as_the_evaluator(string op)
    {
        var terms = Enumerable.Range(0, 500).Select(i => op == "or" ? $"properties[\"n\"] == {i}" : $"properties[\"n\"] != {i}").ToList();
        var where = WhereExpression.Parse(Balanced(terms, op));
        var translation = SqliteWhereTranslator.Translate(where, Now);
        var plain = WhereSqlTranslator.Translate(where, Now, new PlainSqlite()).Sql.Length;

        // The copies add at most 64 KiB (and each CASE some 60 characters more than the operator);
        // past that SQL's own operators take over, and the whole expression is written twice at
        // most (the CASE that tests it), as before the copies.
        Assert.InRange(translation.Sql.Length, 1, 2 * (plain + (64 * 1024) + (60 * terms.Count)));

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE profiles (id TEXT PRIMARY KEY, properties BLOB NOT NULL);";
            create.ExecuteNonQuery();
        }

        JsonNode?[] values = [0, 7, 499, 500, -1, "7", null, true];
        for (var i = 0; i < values.Length; i++)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO profiles VALUES ($id, jsonb($json));";
            insert.Parameters.AddWithValue("$id", $"r{i}");
            insert.Parameters.AddWithValue("$json", new JsonObject { ["n"] = values[i]?.DeepClone() }.ToJsonString());
            insert.ExecuteNonQuery();
        }

        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT id, ({translation.Sql}) FROM {translation.Rows("1 = 1")} ORDER BY id;";
        SqlCommandBuilder.Bind(select, translation.Parameters);
        using var reader = select.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            var i = int.Parse(reader.GetString(0)[1..], System.Globalization.CultureInfo.InvariantCulture);
            var expected = where.Matches(new JsonObject { ["n"] = values[i]?.DeepClone() }, Now);
            Assert.False(reader.IsDBNull(1), $"row {i} left undecided");
            Assert.Equal(expected, reader.GetInt64(1) != 0);
            rows++;
        }

        Assert.Equal(values.Length, rows);
    }

    private static string Balanced(List<string> terms, string op) => terms.Count == 1
        ? terms[0]
        : $"({Balanced(terms[..(terms.Count / 2)], op)}) {op} ({Balanced(terms[(terms.Count / 2)..], op)})";

    /// <summary>The SQLite leaves with SQL's own AND and OR (the base class's), for the size without copies.</summary>
    private sealed class PlainSqlite() : WhereDialect(new SqlCommandBuilder("$w"))
    {
        private readonly SqliteWhereDialect _leaves = new();

        public override string Literal(SqlTruthKind constant) => _leaves.Literal(constant);

        public override SqlTruth Defined(string name) => _leaves.Defined(name);

        public override SqlTruth Truthy(string name) => _leaves.Truthy(name);

        public override SqlTruth Equal(string name, Value constant) => _leaves.Equal(name, constant);

        public override SqlTruth Order(BinaryOperator op, string name, Value constant) => _leaves.Order(op, name, constant);

        public override SqlTruth NeedleIn(string name, Value haystack) => _leaves.NeedleIn(name, haystack);

        public override SqlTruth InProperty(Value needle, string name) => _leaves.InProperty(needle, name);
    }
}
