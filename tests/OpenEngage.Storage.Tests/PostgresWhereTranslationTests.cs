using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The PostgreSQL translation of where filters agrees with the in-memory evaluator: on random
/// profiles (as stored, so with jsonb's normalized numbers) and random expressions, every row SQL
/// decides is decided as the evaluator decides it, and a whole query returns exactly the
/// evaluator's matches in the documented order.
/// </summary>
public sealed class PostgresWhereTranslationTests : IAsyncLifetime
{
    private const string Project = "p";
    private const int ProfileCount = 400;

    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Names = ["a", "b", "n", "$last_seen", "a.b", "", "we\"ird\\ name", "missing"];

    private static readonly string[] Strings =
    [
        "", "a", "abc", "A", "b", "12.5", "-3", "true", "x\"y\\z\n", "é\u0001", "x\u0000y", "日本", "😀",
        "2024-03-05T10:20:30", "2024-03-05T10:20:31", "2024-01-01", "2024-03-05T10:20:30Z", "2024-03-05 10:20:30",
        "2023-02-29T00:00:00", "0000-01-01T00:00:00", "2024-13-01T00:00:00", "2024-03-05T10:20:30.5", "9999-12-31T23:59:59",
    ];

    private static readonly string[] NumberTexts =
    [
        "0", "-0", "1", "-1", "2", "3", "0.1", "0.10000000000000001", "0.3", "0.30000000000000004", "1.0", "2.5", "-2.5",
        "9007199254740992", "9007199254740993", "9223372036854775807", "9223372036854775808", "100000000000000000000000",
        "1e23", "1E5", "100000", "1e-30", "1e-400", "1e308", "1e400", "-1e400", "12.5", "1717243200", "79228162514264337593543950335",
    ];

    private static readonly Gen<JsonNode?> GenScalar = Gen.OneOf<JsonNode?>(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.OneOf(NumberTexts).Select(text => JsonNode.Parse(text)),
        Gen.OneOf(NumberTexts).Select(text => JsonNode.Parse(text)),
        Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.OneOf(Strings).Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.OneOf(Strings).Select(s => (JsonNode?)JsonValue.Create(s)));

    private static readonly Gen<JsonNode?> GenJson = Gen.Frequency(
        (6, GenScalar),
        (2, GenScalar.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
        (1, GenScalar.Array[0, 2].Select(items => (JsonNode?)new JsonObject(items.Select((v, i) => KeyValuePair.Create("k" + i, v))))));

    private static readonly Gen<string> GenProfile = Gen.Select(Gen.Bool.Array[Names.Length], GenJson.Array[Names.Length], (present, values) =>
    {
        var profile = new JsonObject();
        for (var i = 0; i < Names.Length - 1; i++)
        {
            if (present[i])
            {
                profile[Names[i]] = values[i];
            }
        }

        return profile.ToJsonString();
    });

    private static readonly Gen<Expr> GenProperty = Gen.OneOf(Names).Select(n => (Expr)new PropertyAccess(n));

    private static readonly Gen<Expr> GenConstant = Gen.OneOf<Expr>(
        Gen.OneOf(NumberTexts).Where(t => t[0] != '-' && NumberValue.TryParse(t, out _)).Select(t => (Expr)new Literal(Number(t))),
        Gen.OneOf(NumberTexts).Where(t => t[0] != '-' && NumberValue.TryParse(t, out _)).Select(t => (Expr)new Unary(UnaryOperator.Negate, new Literal(Number(t)))),
        Gen.Int[0, 4].Select(i => (Expr)new Literal(Value.Of(i))),
        Gen.OneOf(Strings).Select(s => (Expr)new Literal(new StringValue(s))),
        Gen.Bool.Select(b => (Expr)new Literal(Value.Of(b))),
        Gen.OneOf(Strings).Select(s => (Expr)new Call(WhereFunction.Datetime, new Literal(new StringValue(s)))),
        Gen.Const<Expr>(new Binary(BinaryOperator.Subtract, new Now(), new Literal(Value.Of(86400)))),
        Gen.Const<Expr>(new Call(WhereFunction.Datetime, new Now())),
        Gen.Const<Expr>(new Call(WhereFunction.Number, new Literal(new StringValue("abc")))));

    private static readonly Gen<BinaryOperator> GenComparison = Gen.OneOf(
        BinaryOperator.Equal, BinaryOperator.NotEqual, BinaryOperator.Greater, BinaryOperator.GreaterOrEqual,
        BinaryOperator.Less, BinaryOperator.LessOrEqual, BinaryOperator.In);

    /// <summary>Leaves the translation handles, and some it does not (arithmetic, casts, two properties).</summary>
    private static readonly Gen<Expr> GenPredicate = Gen.Frequency<Expr>(
        (6, Gen.Select(GenComparison, GenProperty, GenConstant, (op, p, c) => (Expr)new Binary(op, p, c))),
        (4, Gen.Select(GenComparison, GenConstant, GenProperty, (op, c, p) => (Expr)new Binary(op, c, p))),
        (2, GenProperty.Select(p => (Expr)new Call(WhereFunction.Defined, p))),
        (1, GenProperty),
        (1, GenConstant),
        (1, Gen.Select(GenComparison, GenProperty, GenProperty, (op, l, r) => (Expr)new Binary(op, l, r))),
        (1, Gen.Select(GenProperty, GenConstant, (p, c) => (Expr)new Binary(BinaryOperator.Greater, new Binary(BinaryOperator.Add, p, c), c))),
        (1, Gen.Select(Gen.Enum<WhereFunction>(), GenProperty, (f, p) => (Expr)new Call(f, p))));

    private static readonly Gen<Expr> GenFilter = Tree(3);

    private string _connectionString = "";
    private PostgresProfileStore _store = null!;
    private List<StoredProfile> _profiles = [];

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("where");
        _store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = _connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance);
        await _store.InitializeAsync();

        var profiles = GenProfile.Array[ProfileCount].Single();
        var updates = profiles.Select((json, i) => new ProfileUpdate
        {
            Token = "t",
            Project = Project,
            DistinctId = "u" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            Time = Now,
            IgnoreTime = true,
            Set = [.. JsonNode.Parse(json)!.AsObject().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))],
        }).ToList();
        await _store.ApplyAsync(updates);
        _profiles = [.. (await _store.ListAsync(new ProfileListRequest(Project, "", 0, 10_000))).Profiles];
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public void Every_row_sql_decides_is_decided_as_the_evaluator_decides() =>
        GenFilter.Sample(
            expr =>
            {
                var where = WhereExpression.FromTree(expr);
                foreach (var (id, decided) in Decisions(where))
                {
                    var profile = _profiles.Single(p => p.Key.Id == id);
                    if (decided is { } match)
                    {
                        Assert.True(
                            match == where.Matches(profile.Properties, Now),
                            $"SQL says {match} for {where} on {profile.Properties.ToJsonString()}");
                    }
                }
            },
            iter: 300,
            threads: 1);

    [Fact]
    public void A_query_returns_exactly_the_evaluators_matches_in_order_with_the_total() =>
        Gen.Select(GenFilter, Gen.OneOf<string?>(null, "a", "n", "$last_seen"), Gen.Bool).Sample(
            (expr, sortKey, descending) =>
            {
                var query = new ProfileQuery(Project, "") { Where = WhereExpression.FromTree(expr), SortKey = sortKey, Descending = descending, Now = Now };
                var expected = _profiles.Where(p => query.Where.Matches(p.Properties, Now)).ToList();
                expected.Sort(ProfileOrder.Comparer(sortKey, descending));
                var expectedIds = expected.Select(p => p.Key.Id).ToList();

                var all = _store.QueryIdsAsync(query).GetAwaiter().GetResult();
                Assert.Equal(expectedIds, all);

                var page = _store.QueryAsync(query with { Offset = 3, Limit = 7 }).GetAwaiter().GetResult();
                Assert.Equal(expected.Count, page.Total);
                Assert.Equal(all.Skip(3).Take(7), page.Profiles.Select(p => p.Key.Id));

                var some = _profiles.Where((_, i) => i % 3 == 0).Select(p => p.Key.Id).ToList();
                var restricted = _store.QueryIdsAsync(query with { DistinctIds = some }).GetAwaiter().GetResult();
                Assert.Equal(expectedIds.Where(some.Contains), restricted);

                var streamed = _store.StreamAsync(query).ToBlockingEnumerable().Select(p => p.Key.Id).ToList();
                Assert.Equal(all, streamed);
            },
            iter: 120,
            threads: 1);

    [Theory]
    [InlineData("properties[\"plan\"] == \"pro\"")]
    [InlineData("properties[\"age\"] >= 18 and properties[\"age\"] < 65")]
    [InlineData("\"vip\" in properties[\"tags\"]")]
    [InlineData("defined(properties[\"email\"])")]
    [InlineData("not defined(properties[\"email\"]) or properties[\"plan\"] != \"free\"")]
    [InlineData("properties[\"$last_seen\"] > datetime(\"2024-01-01\") and properties[\"$last_seen\"] <= datetime(NOW)")]
    [InlineData("properties[\"name\"] in \"Alice and Bob\"")]
    [InlineData("properties[\"vip\"]")]
    [InlineData("properties[\"we\\\"ird\"] == true")]
    public void Common_filters_run_entirely_in_sql(string text)
    {
        var translation = PostgresWhereTranslator.Translate(WhereExpression.Parse(text), Now);
        Assert.False(translation.IsUnknown);
    }

    [Fact]
    public async Task Typical_profiles_are_decided_in_sql_without_falling_back()
    {
        var filters = new[]
        {
            "properties[\"n\"] == 3", "properties[\"n\"] > 1.5", "properties[\"a\"] == \"abc\"", "\"a\" in properties[\"b\"]", "2 in properties[\"b\"]",
            "properties[\"$last_seen\"] >= datetime(\"2024-03-05T10:20:30\")", "defined(properties[\"a\"])", "properties[\"n\"]",
        };
        await _store.ApplyAsync([.. Enumerable.Range(0, 50).Select(i => new ProfileUpdate
        {
            Token = "t",
            Project = "typical",
            DistinctId = "u" + i,
            Time = Now,
            IgnoreTime = true,
            Set =
            [
                KeyValuePair.Create<string, JsonNode?>("n", i),
                KeyValuePair.Create<string, JsonNode?>("a", i % 2 == 0 ? "abc" : "xyz"),
                KeyValuePair.Create<string, JsonNode?>("b", new JsonArray("a", "b", i)),
                KeyValuePair.Create<string, JsonNode?>("$last_seen", $"2024-03-{1 + (i % 31):D2}T10:20:30"),
            ],
        })]);
        var stored = (await _store.ListAsync(new ProfileListRequest("typical", "", 0, 100))).Profiles;
        foreach (var text in filters)
        {
            var where = WhereExpression.Parse(text);
            Assert.All(Decisions(where, "typical"), row => Assert.NotNull(row.Decided));
            Assert.Equal(stored.Count(p => where.Matches(p.Properties, Now)), (await _store.QueryAsync(new ProfileQuery("typical", "") { Where = where, Now = Now })).Total);
        }
    }

    private static NumberValue Number(string text) => NumberValue.TryParse(text, out var number) ? number : throw new FormatException(text);

    private static Gen<Expr> Tree(int depth)
    {
        if (depth == 0)
        {
            return GenPredicate;
        }

        var sub = Tree(depth - 1);
        return Gen.Frequency<Expr>(
            (4, GenPredicate),
            (1, sub.Select(e => (Expr)new Unary(UnaryOperator.Not, e))),
            (2, Gen.Select(sub, sub, (l, r) => (Expr)new Binary(BinaryOperator.And, l, r))),
            (2, Gen.Select(sub, sub, (l, r) => (Expr)new Binary(BinaryOperator.Or, l, r))),
            (1, sub.Select(e => (Expr)new Call(WhereFunction.Boolean, e))));
    }

    /// <summary>What SQL alone decides for each profile: true, false or null (left to the evaluator).</summary>
    private List<(string Id, bool? Decided)> Decisions(WhereExpression where, string project = Project)
    {
        var translation = PostgresWhereTranslator.Translate(where, Now);
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT id, ({translation.Sql}) FROM profiles WHERE project = @project ORDER BY id;", connection);
        command.Parameters.AddWithValue("project", project);
        foreach (var parameter in translation.CloneParameters())
        {
            command.Parameters.Add(parameter);
        }

        var rows = new List<(string, bool?)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetBoolean(1)));
        }

        return rows;
    }
}
