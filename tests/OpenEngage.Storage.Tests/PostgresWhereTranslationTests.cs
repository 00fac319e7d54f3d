using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Postgres;
using static OpenEngage.Storage.Tests.WhereTestData;

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
    private static readonly DateTimeOffset Now = EvaluationTime;
    private const int ProfileCount = 400;

    private string _connectionString = "";
    private PostgresProfileStore _store = null!;
    private List<StoredProfile> _profiles = [];

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("where");
        _store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = _connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance);
        await _store.InitializeAsync();

        await _store.ApplyAsync(RandomProfileUpdates(Project, ProfileCount));
        _profiles = [.. (await _store.ListAsync(new ProfileListRequest(Project, "", 0, 10_000))).Profiles];
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public void Every_row_sql_decides_is_decided_as_the_evaluator_decides() =>
        GenFilter.Sample(
            expr =>
            {
                var where = WhereExpression.FromTree(expr);
                AssertDecidedAsEvaluated(where, Decisions(where), _profiles);
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
    [MemberData(nameof(WhereTestData.CommonFilters), MemberType = typeof(WhereTestData))]
    [InlineData("properties[\"we\\\"ird\"] == true")] // SQLite leaves a name with a quote to the evaluator
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
        await _store.ApplyAsync(WhereTestData.TypicalProfileUpdates("typical", Now));
        var stored = (await _store.ListAsync(new ProfileListRequest("typical", "", 0, 100))).Profiles;
        foreach (var text in filters)
        {
            var where = WhereExpression.Parse(text);
            Assert.All(Decisions(where, "typical"), row => Assert.NotNull(row.Decided));
            Assert.Equal(stored.Count(p => where.Matches(p.Properties, Now)), (await _store.QueryAsync(new ProfileQuery("typical", "") { Where = where, Now = Now })).Total);
        }
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
