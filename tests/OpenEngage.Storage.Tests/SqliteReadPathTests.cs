using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The embedded store's cheaper read paths give the evaluator's answers: an id-ordered window of
/// rare matches that counts itself, a sorted window that is counted in the same scan, and list
/// membership answered from the list's text first.
/// </summary>
public sealed class SqliteReadPathTests : IAsyncLifetime
{
    private const string Project = "p";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-read-path-tests", Guid.NewGuid().ToString("N"));
    private SqliteProfileStore _store = null!;

    public async Task InitializeAsync()
    {
        // Scans split into three parts, as on a large project.
        _store = new SqliteProfileStore(
            new SqliteStoreOptions { Path = _root, QueryParallelism = 3, MinProfilesPerScanPart = 50 },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance);
        await _store.InitializeAsync();
        await _store.ApplyAsync([.. Enumerable.Range(0, 600).Select(i => Set($"u{i * 7919 % 1000:D3}", ("n", JsonValue.Create(i % 50)), ("s", JsonValue.Create($"name {i}"))))]);
        await _store.QueryIdsAsync(new ProfileQuery(Project, ""));
        await _store.WhenScanPartsFoundAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData("properties[\"n\"] == 7", 0, 20)] // 12 matches: every part ends before it has 20
    [InlineData("properties[\"n\"] == 7", 10, 5)] // a window past most of the matches
    [InlineData("properties[\"n\"] == 7", 20, 5)] // a window past every match
    [InlineData("\"name 4\" in properties[\"s\"]", 3, 100)] // a substring: 111 matches, all within the window
    [InlineData("properties[\"n\"] == 7 and properties[\"n\"] + 0 == 7", 1, 50)] // undecided in SQL, evaluated as the scan passes
    public async Task A_window_of_rare_matches_counts_them_in_its_own_scan(string where, int offset, int limit)
    {
        var query = new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), Offset = offset, Limit = limit };
        var expected = await InMemoryQuery.QueryIdsAsync(_store, query with { Offset = 0, Limit = null }, default);
        var counts = _store.CountScans;

        await AssertPageAndSnapshotAsync(query, expected, offset, limit);
        Assert.Equal(counts, _store.CountScans);
    }

    [Fact]
    public async Task A_window_of_common_matches_stops_early_and_is_counted_apart()
    {
        var query = new ProfileQuery(Project, "") { Where = WhereExpression.Parse("properties[\"n\"] > 3"), Offset = 7, Limit = 5 };
        var expected = await InMemoryQuery.QueryIdsAsync(_store, query with { Offset = 0, Limit = null }, default);
        var counts = _store.CountScans;

        var page = await _store.QueryAsync(query);

        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(expected.Skip(7).Take(5), page.Profiles.Select(profile => profile.Key.Id));
        Assert.Equal(counts + 1, _store.CountScans);
    }

    [Theory]
    [InlineData("properties[\"n\"] > 3", "s", false, 7, 5, false)] // common matches in every part
    [InlineData("properties[\"n\"] == 7", "n", true, 0, 20, false)] // rare matches, equal keys ordered by id
    [InlineData("properties[\"n\"] == 7", "s", true, 10, 5, false)] // a window past most of the matches
    [InlineData("properties[\"n\"] == 7", "s", false, 20, 5, false)] // a window past every match
    [InlineData("properties[\"s\"] == \"name 5\"", "n", false, 0, 3, false)] // one match: the other parts have none
    [InlineData("properties[\"n\"] == 7 and properties[\"n\"] + 0 == 7", "s", false, 1, 5, true)] // undecided in SQL: counted the long way
    public async Task A_sorted_window_with_a_filter_counts_its_matches_in_the_same_scan(string where, string sortKey, bool descending, int offset, int limit, bool countedApart)
    {
        var query = new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), SortKey = sortKey, Descending = descending, Offset = offset, Limit = limit };
        var expected = await InMemoryQuery.QueryIdsAsync(_store, query with { Offset = 0, Limit = null }, default);
        var counts = _store.CountScans;

        await AssertPageAndSnapshotAsync(query, expected, offset, limit);
        Assert.Equal(countedApart ? counts + 2 : counts, _store.CountScans);
    }

    /// <summary>The page and the session snapshot of <paramref name="query"/> both hold the window of <paramref name="expected"/>, and count all of it.</summary>
    private async Task AssertPageAndSnapshotAsync(ProfileQuery query, IReadOnlyList<string> expected, int offset, int limit)
    {
        var page = await _store.QueryAsync(query);
        var snapshot = await _store.SnapshotIdsAsync(query);

        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(expected.Skip(offset).Take(limit), page.Profiles.Select(profile => profile.Key.Id));
        Assert.Equal(expected.Count, snapshot.Total);
        Assert.Equal(expected.Skip(offset).Take(limit), snapshot.Window);
        Assert.Equal(expected, await snapshot.ReadAllAsync());
    }

    [Theory]
    [InlineData("beta")]
    [InlineData("é")]
    [InlineData("<b>")]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    [InlineData("x")]
    public async Task String_membership_in_a_list_is_exact_whatever_the_lists_text_holds(string needle)
    {
        var project = "lists";
        JsonNode?[] tags =
        [
            Json("[\"beta\"]"), Json("[[\"beta\"]]"), Json("[{\"beta\": 1}]"), Json("[\"x\\\"beta\\\"y\"]"), Json("[\"é\", \"beta\"]"),
            Json("[\"<b>\"]"), Json("[\"a\\\\b\"]"), Json("[\"a\\\"b\"]"), Json("[\"betamax\"]"), Json("\"beta\""), Json("[]"),
            Json("[\"\\u0062eta\"]"), Json("[1, \"x\", true]"), Json("[\"x\\ny\"]"), Json("{\"x\": \"beta\"}"),
        ];
        await _store.ApplyAsync([.. tags.Select((value, i) => Update(project, $"t{i:D2}") with { Operations = new() { Set = [new("tags", value)] } })]);
        var query = new ProfileQuery(project, "") { Where = WhereExpression.FromTree(new Binary(BinaryOperator.In, new Literal(new StringValue(needle)), new PropertyAccess("tags"))) };

        var expected = await InMemoryQuery.QueryIdsAsync(_store, query, default);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, await _store.QueryIdsAsync(query));
        Assert.Equal(expected.Count, (await _store.QueryAsync(query with { Limit = 3 })).Total);
    }

    private static JsonNode? Json(string text) => JsonNode.Parse(text);

    private static ProfileUpdate Update(string project, string id) => new()
    {
        Key = new ProfileKey(project, "", id),
        Time = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
        Operations = new(),
    };

    private static ProfileUpdate Set(string id, params (string Name, JsonNode? Value)[] properties) =>
        Update(Project, id) with { Operations = new() { Set = [.. properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Name, p.Value))] } };
}
