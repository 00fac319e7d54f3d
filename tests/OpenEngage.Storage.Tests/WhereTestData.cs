using System.Text.Json.Nodes;
using CsCheck;
using OpenEngage.Profiles;
using OpenEngage.Query;
using Xunit;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// Random profiles and where filters for the translation agreement tests of every backend: awkward
/// numbers, escapes, invalid dates, and expressions both inside and outside what SQL translates.
/// </summary>
internal static class WhereTestData
{
    internal static readonly DateTimeOffset EvaluationTime = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    internal static readonly string[] Names = ["a", "b", "n", "$last_seen", "a.b", "", "we\"ird\\ name", "missing"];

    internal static readonly string[] Strings =
    [
        "", "a", "abc", "A", "b", "12.5", "-3", "true", "x\"y\\z\n", "é\u0001", "x\u0000y", "日本", "😀",
        "2024-03-05T10:20:30", "2024-03-05T10:20:31", "2024-01-01", "2024-03-05T10:20:30Z", "2024-03-05 10:20:30",
        "2023-02-29T00:00:00", "0000-01-01T00:00:00", "2024-13-01T00:00:00", "2024-03-05T10:20:30.5", "9999-12-31T23:59:59",
        "2024-02-29T00:00:00", "2000-02-29T12:00:00", "1900-02-29T00:00:00", "2024-04-31T00:00:00", "2024-04-30T23:59:59",
        "2024-00-10T00:00:00", "2024-03-00T00:00:00", "2024-03-05T24:00:00", "2024-03-05T10:60:00", "2024-03-05T10:20:60",
        "[\"a\"]", "{}", "[]", "{\"a\":1}",
    ];

    internal static readonly string[] NumberTexts =
    [
        "0", "-0", "1", "-1", "2", "3", "0.1", "0.10000000000000001", "0.3", "0.30000000000000004", "1.0", "2.5", "-2.5",
        "9007199254740992", "9007199254740993", "9223372036854775807", "9223372036854775808", "100000000000000000000000",
        "1e23", "1E5", "100000", "1e-30", "1e-400", "1e308", "1e400", "-1e400", "12.5", "1717243200", "79228162514264337593543950335",
    ];

    internal static readonly Gen<JsonNode?> GenScalar = Gen.OneOf<JsonNode?>(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.OneOf(NumberTexts).Select(text => JsonNode.Parse(text)),
        Gen.OneOf(NumberTexts).Select(text => JsonNode.Parse(text)),
        Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.OneOf(Strings).Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.OneOf(Strings).Select(s => (JsonNode?)JsonValue.Create(s)));

    internal static readonly Gen<JsonNode?> GenJson = Gen.Frequency(
        (6, GenScalar),
        (2, GenScalar.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
        (1, GenScalar.Array[0, 2].Select(items => (JsonNode?)new JsonObject(items.Select((v, i) => KeyValuePair.Create("k" + i, v))))));

    internal static readonly Gen<string> GenProfile = Gen.Select(Gen.Bool.Array[Names.Length], GenJson.Array[Names.Length], (present, values) =>
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

    internal static readonly Gen<Expr> GenProperty = Gen.OneOf(Names).Select(n => (Expr)new PropertyAccess(n));

    internal static readonly Gen<Expr> GenConstant = Gen.OneOf<Expr>(
        Gen.OneOf(NumberTexts).Where(t => t[0] != '-' && NumberValue.TryParse(t, out _)).Select(t => (Expr)new Literal(Number(t))),
        Gen.OneOf(NumberTexts).Where(t => t[0] != '-' && NumberValue.TryParse(t, out _)).Select(t => (Expr)new Unary(UnaryOperator.Negate, new Literal(Number(t)))),
        Gen.Int[0, 4].Select(i => (Expr)new Literal(Value.Of(i))),
        Gen.OneOf(Strings).Select(s => (Expr)new Literal(new StringValue(s))),
        Gen.Bool.Select(b => (Expr)new Literal(Value.Of(b))),
        Gen.OneOf(Strings).Select(s => (Expr)new Call(WhereFunction.Datetime, new Literal(new StringValue(s)))),
        Gen.Const<Expr>(new Binary(BinaryOperator.Subtract, new Now(), new Literal(Value.Of(86400)))),
        Gen.Const<Expr>(new Call(WhereFunction.Datetime, new Now())),
        Gen.Const<Expr>(new Call(WhereFunction.Number, new Literal(new StringValue("abc")))));

    internal static readonly Gen<BinaryOperator> GenComparison = Gen.OneOf(
        BinaryOperator.Equal, BinaryOperator.NotEqual, BinaryOperator.Greater, BinaryOperator.GreaterOrEqual,
        BinaryOperator.Less, BinaryOperator.LessOrEqual, BinaryOperator.In);

    /// <summary>Leaves the translation handles, and some it does not (arithmetic, casts, two properties).</summary>
    internal static readonly Gen<Expr> GenPredicate = Gen.Frequency<Expr>(
        (6, Gen.Select(GenComparison, GenProperty, GenConstant, (op, p, c) => (Expr)new Binary(op, p, c))),
        (4, Gen.Select(GenComparison, GenConstant, GenProperty, (op, c, p) => (Expr)new Binary(op, c, p))),
        (2, GenProperty.Select(p => (Expr)new Call(WhereFunction.Defined, p))),
        (1, GenProperty),
        (1, GenConstant),
        (1, Gen.Select(GenComparison, GenProperty, GenProperty, (op, l, r) => (Expr)new Binary(op, l, r))),
        (1, Gen.Select(GenProperty, GenConstant, (p, c) => (Expr)new Binary(BinaryOperator.Greater, new Binary(BinaryOperator.Add, p, c), c))),
        (1, Gen.Select(Gen.Enum<WhereFunction>(), GenProperty, (f, p) => (Expr)new Call(f, p))));

    internal static readonly Gen<Expr> GenFilter = Tree(3);

    internal static NumberValue Number(string text) => NumberValue.TryParse(text, out var number) ? number : throw new FormatException(text);

    internal static Gen<Expr> Tree(int depth)
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

    /// <summary>Updates that create <paramref name="count"/> random profiles (ids u0000, u0001, …) in <paramref name="project"/>.</summary>
    internal static List<ProfileUpdate> RandomProfileUpdates(string project, int count) =>
        [.. GenProfile.Array[count].Single().Select((json, i) => new ProfileUpdate
        {
            Key = new ProfileKey(project, "", "u" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)),
            Time = EvaluationTime,
            IgnoreTime = true,
            Operations = new() { Set = [.. JsonNode.Parse(json)!.AsObject().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))] },
        })];

    /// <summary>Filters of the kinds users write most, which every store must translate to SQL whole.</summary>
    public static TheoryData<string> CommonFilters =>
    [
        "properties[\"plan\"] == \"pro\"",
        "properties[\"age\"] >= 18 and properties[\"age\"] < 65",
        "\"vip\" in properties[\"tags\"]",
        "defined(properties[\"email\"])",
        "not defined(properties[\"email\"]) or properties[\"plan\"] != \"free\"",
        "properties[\"$last_seen\"] > datetime(\"2024-01-01\") and properties[\"$last_seen\"] <= datetime(NOW)",
        "properties[\"name\"] in \"Alice and Bob\"",
        "properties[\"vip\"]",
    ];

    /// <summary>
    /// Updates that create 50 profiles of a typical shape in <paramref name="project"/> (ids u0 to
    /// u49): a number <c>n</c>, a string <c>a</c>, a list <c>b</c> and a <c>$last_seen</c> in March 2024.
    /// </summary>
    internal static List<ProfileUpdate> TypicalProfileUpdates(string project, DateTimeOffset time) =>
        [.. Enumerable.Range(0, 50).Select(i => new ProfileUpdate
        {
            Key = new ProfileKey(project, "", "u" + i),
            Time = time,
            IgnoreTime = true,
            Operations = new()
            {
                Set =
                [
                    KeyValuePair.Create<string, JsonNode?>("n", i),
                    KeyValuePair.Create<string, JsonNode?>("a", i % 2 == 0 ? "abc" : "xyz"),
                    KeyValuePair.Create<string, JsonNode?>("b", new JsonArray("a", "b", i)),
                    KeyValuePair.Create<string, JsonNode?>("$last_seen", $"2024-03-{1 + (i % 28):D2}T10:20:30"),
                ],
            },
        })];

    /// <summary>Asserts that every row SQL decides (true or false; null is left to the evaluator) is decided as the evaluator decides it.</summary>
    internal static void AssertDecidedAsEvaluated(WhereExpression where, IEnumerable<(string Id, bool? Decided)> decisions, IReadOnlyList<StoredProfile> profiles)
    {
        foreach (var (id, decided) in decisions)
        {
            var profile = profiles.Single(p => p.Key.Id == id);
            if (decided is { } match)
            {
                Assert.True(
                    match == where.Matches(profile.Properties, EvaluationTime),
                    $"SQL says {match} for {where} on {profile.Properties.ToJsonString()}");
            }
        }
    }
}
