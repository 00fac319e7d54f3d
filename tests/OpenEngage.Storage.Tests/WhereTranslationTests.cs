using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Sqlite;
using static OpenEngage.Storage.Tests.WhereTestData;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The SQLite translation of where filters agrees with the in-memory evaluator: on random profiles
/// and random expressions, every row SQL decides is decided as the evaluator decides it, and a
/// whole query returns exactly the evaluator's matches.
/// </summary>
public sealed class WhereTranslationTests : IAsyncLifetime
{
    private const string Project = "p";
    private static readonly DateTimeOffset Now = EvaluationTime;
    private const int ProfileCount = 400;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-where-tests", Guid.NewGuid().ToString("N"));
    private SqliteProfileStore _store = null!;
    private List<StoredProfile> _profiles = [];

    public async Task InitializeAsync()
    {
        // Scans split into three parts read in parallel, as on a large project.
        _store = new SqliteProfileStore(
            new SqliteStoreOptions { Path = _root, QueryParallelism = 3, MinProfilesPerScanPart = 100 },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance);
        await _store.InitializeAsync();

        await _store.ApplyAsync(RandomProfileUpdates(Project, ProfileCount));
        _profiles = [.. (await _store.ListAsync(new ProfileListRequest(Project, "", 0, 10_000))).Profiles];

        // The first query starts the search for split points; the tests run once they are found.
        await _store.QueryIdsAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse("defined(properties[\"a\"])") });
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

    [Fact]
    public void Every_row_sql_decides_is_decided_as_the_evaluator_decides() =>
        GenFilter.Sample(
            expr =>
            {
                var where = WhereExpression.FromTree(expr);
                AssertDecidedAsEvaluated(where, Decisions(where), _profiles);
            },
            iter: 400,
            threads: 1);

    [Fact]
    public void A_query_returns_exactly_the_evaluators_matches_in_order_with_the_total() =>
        Gen.Select(GenFilter, Gen.OneOf<string?>(null, "a", "n", "$last_seen"), Gen.Bool).Sample(
            (expr, sortKey, descending) =>
            {
                var query = new ProfileQuery(Project, "") { Where = WhereExpression.FromTree(expr), SortKey = sortKey, Descending = descending, Now = Now };
                var expected = _profiles.Where(p => query.Where.Matches(p.Properties, Now)).Select(p => p.Key.Id).ToHashSet(StringComparer.Ordinal);

                var all = _store.QueryIdsAsync(query).GetAwaiter().GetResult();
                Assert.True(expected.SetEquals(all), $"{query.Where}: expected {expected.Count} matches, got {all.Count}");
                Assert.Equal(all.Count, all.Distinct().Count());

                var page = _store.QueryAsync(query with { Offset = 3, Limit = 7 }).GetAwaiter().GetResult();
                Assert.Equal(expected.Count, page.Total);
                Assert.Equal(all.Skip(3).Take(7), page.Profiles.Select(p => p.Key.Id));

                var streamed = _store.StreamAsync(query).ToBlockingEnumerable().Select(p => p.Key.Id).ToList();
                Assert.Equal(all, streamed);

                var snapshot = _store.SnapshotIdsAsync(query with { Offset = 3, Limit = 7 }).GetAwaiter().GetResult();
                Assert.Equal(expected.Count, snapshot.Total);
                Assert.Equal(all.Skip(3).Take(7), snapshot.Window);
                Assert.Equal(all, snapshot.ReadAllAsync().GetAwaiter().GetResult());
            },
            iter: 150,
            threads: 1);

    [Fact]
    public async Task Scans_of_this_store_run_split_into_parts()
    {
        var before = _store.SplitScans;
        await _store.QueryIdsAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse("defined(properties[\"n\"])") });
        Assert.Equal(before + 1, _store.SplitScans);
    }

    [Fact]
    public void The_sql_order_is_the_documented_order() =>
        Gen.Select(Gen.OneOf<string?>(null, "a", "b", "n", "$last_seen", "a.b"), Gen.Bool).Sample(
            (sortKey, descending) =>
            {
                var query = new ProfileQuery(Project, "") { SortKey = sortKey, Descending = descending, Now = Now };
                var sql = _store.QueryIdsAsync(query).GetAwaiter().GetResult();
                var memory = InMemoryQuery.QueryIdsAsync(_store, query, default).GetAwaiter().GetResult();
                var firstDiff = Enumerable.Range(0, sql.Count).FirstOrDefault(i => sql[i] != memory[i]);
                Assert.True(memory.SequenceEqual(sql), string.Join("\n", sql.Skip(Math.Max(0, firstDiff - 2)).Take(5).Select(id => id + " " + (sortKey is null ? "" : _profiles.Single(p => p.Key.Id == id).Properties[sortKey]?.ToJsonString()))));
            },
            iter: 20,
            threads: 1);

    [Theory]
    [MemberData(nameof(WhereTestData.CommonFilters), MemberType = typeof(WhereTestData))]
    public void Common_filters_run_entirely_in_sql(string text)
    {
        var translation = SqliteWhereTranslator.Translate(WhereExpression.Parse(text), Now);
        Assert.False(translation.IsUnknown);
    }

    [Fact]
    public async Task Typical_profiles_are_decided_in_sql_without_falling_back()
    {
        var filters = new[]
        {
            "properties[\"n\"] == 3", "properties[\"n\"] > 1.5", "properties[\"a\"] == \"abc\"", "\"a\" in properties[\"b\"]",
            "properties[\"$last_seen\"] >= datetime(\"2024-03-05T10:20:30\")", "defined(properties[\"a\"])",
        };
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = Path.Combine(_root, "typical") }, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance);
        await using (store)
        {
            await store.InitializeAsync();
            await store.ApplyAsync(WhereTestData.TypicalProfileUpdates(Project, Now));
            foreach (var text in filters)
            {
                var where = WhereExpression.Parse(text);
                Assert.All(Decisions(where, store), row => Assert.NotNull(row.Decided));
                var expected = (await store.ListAsync(new ProfileListRequest(Project, "", 0, 100))).Profiles.Count(p => where.Matches(p.Properties, Now));
                Assert.Equal(expected, (await store.QueryAsync(new ProfileQuery(Project, "") { Where = where, Now = Now })).Total);
            }
        }
    }

    private List<(string Id, bool? Decided)> Decisions(WhereExpression where) => Decisions(where, _store);

    /// <summary>What SQL alone decides for each profile: true, false or null (left to the evaluator).</summary>
    private static List<(string Id, bool? Decided)> Decisions(WhereExpression where, SqliteProfileStore store)
    {
        var translation = SqliteWhereTranslator.Translate(where, Now);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, ({translation.Sql}) FROM {translation.Rows("project = $project")} ORDER BY id;";
        command.Parameters.AddWithValue("$project", Project);
        foreach (var (name, value) in translation.Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<(string, bool?)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1) != 0));
        }

        return rows;
    }
}
