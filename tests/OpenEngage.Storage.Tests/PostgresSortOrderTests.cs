using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Postgres;
using static OpenEngage.Storage.Tests.WhereTestData;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// PostgreSQL orders by a property in SQL, and that order is the reference order of
/// <see cref="SortOrder"/> (<see cref="ProfileOrder"/> over the profiles as stored) on mixed-type
/// values: missing and null, booleans beside numbers, integers and doubles that round alike, numbers
/// beyond 64 bits and beyond a double's range, strings by code point. Lists and objects, whose
/// reference text SQL does not have, are ordered in memory.
/// </summary>
public sealed class PostgresSortOrderTests : IAsyncLifetime
{
    private const string Project = "sorted";

    /// <summary>Values whose order SQL gets wrong if it compares numeric text, doubles or integers alone, or collates strings.</summary>
    private static readonly string[] Adversarial =
    [
        "null", "true", "false", "0", "-0", "1", "1.0", "0.1", "0.10000000000000001", "0.3", "0.30000000000000004", "-2.5",
        "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740993.0", "9007199254740992.5", "-9007199254740993",
        "9223372036854775806", "9223372036854775807", "9223372036854775808", "9223372036854775807.0", "9223372036854775809",
        "-9223372036854775808", "-9223372036854775808.0", "-9223372036854775809", "18446744073709551616", "1e23", "100000000000000000000000",
        "1e308", "1.7976931348623157e308", "1.7976931348623158e308", "1e400", "-1e400", "1e-400", "5e-324", "3e-324", "2e-324",
        "\"\"", "\"a\"", "\"A\"", "\"ab\"", "\"b\"", "\"é\"", "\"\\ue000\"", "\"\\uffff\"", "\"😀\"", "\"日本\"", "\"[1,1]\"", "\"[1, 2]\"",
        "\"10\"", "\"9\"", "\"true\"", "\"x\\ny\"",
    ];

    private PostgresProfileStore _store = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("sort");
        _store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance);
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Mixed_type_values_come_back_in_the_reference_order_sorted_in_sql()
    {
        // Two profiles per value (ties go by id), and some without the property.
        var values = Adversarial.Select(text => JsonNode.Parse(text)).Concat(Adversarial.Select(text => JsonNode.Parse(text))).Append(null).Append(null).ToList();
        var updates = values.Select((value, i) => Update(Project, $"u{(i * 37 % values.Count):D3}", value is null && i % 2 == 0 ? null : ("v", value))).ToList();
        Assert.All(await _store.ApplyAsync(updates), result => Assert.True(result.IsApplied, result.Error?.Message));

        await AssertReferenceOrderAsync(Project, "v", inSql: true);
    }

    [Fact]
    public void Random_scalar_values_come_back_in_the_reference_order_sorted_in_sql() =>
        GenScalar.Where(value => value?.ToJsonString().Contains("\\u0000", StringComparison.Ordinal) != true).Array[1, 25].Sample(
            values =>
            {
                var project = "random-" + Guid.NewGuid().ToString("N");
                var updates = values.Select((value, i) => Update(project, $"r{i:D2}", i % 7 == 3 ? null : ("v", value?.DeepClone()))).ToList();
                Assert.All(_store.ApplyAsync(updates).GetAwaiter().GetResult(), result => Assert.True(result.IsApplied, result.Error?.Message));
                AssertReferenceOrderAsync(project, "v", inSql: true).GetAwaiter().GetResult();
            },
            iter: 40,
            threads: 1);

    [Fact]
    public async Task A_list_or_an_object_among_the_sort_values_is_ordered_in_memory_as_its_compact_json_text()
    {
        // PostgreSQL writes [1, 2] with a space; the reference text is [1,2], after the string "[1, 2]" and before "[1,3]".
        const string project = "composite";
        string[] texts = ["\"[1,1]\"", "\"[1, 2]\"", "[1,2]", "\"[1,3]\"", "{\"a\":1}", "\"{\\\"a\\\": 1}\"", "[]", "3", "\"z\""];
        var updates = texts.Select((text, i) => Update(project, $"c{i}", ("v", JsonNode.Parse(text)))).ToList();
        Assert.All(await _store.ApplyAsync(updates), result => Assert.True(result.IsApplied, result.Error?.Message));

        await AssertReferenceOrderAsync(project, "v", inSql: false);

        // Restricted to the strings, the query sorts in SQL again.
        var before = _store.InMemorySorts;
        var strings = await _store.QueryIdsAsync(new ProfileQuery(project, "") { SortKey = "v", DistinctIds = ["c0", "c1", "c3", "c5", "c8"] });
        Assert.Equal(["c1", "c0", "c3", "c8", "c5"], strings);
        Assert.Equal(before, _store.InMemorySorts);
    }

    /// <summary>Every read of the query side, ascending and descending, windows included, against the reference order of the stored profiles.</summary>
    private async Task AssertReferenceOrderAsync(string project, string sortKey, bool inSql)
    {
        var stored = (await _store.QueryAsync(new ProfileQuery(project, ""))).Profiles.ToList();
        foreach (var descending in new[] { false, true })
        {
            var expected = stored.ToList();
            expected.Sort(ProfileOrder.Comparer(sortKey, descending));
            var expectedIds = expected.Select(profile => profile.Key.Id).ToList();
            var query = new ProfileQuery(project, "") { SortKey = sortKey, Descending = descending };
            var before = _store.InMemorySorts;

            var all = await _store.QueryIdsAsync(query);
            Assert.True(expectedIds.SequenceEqual(all), Explain(expected, all, sortKey));

            var page = await _store.QueryAsync(query with { Offset = 2, Limit = 5 });
            Assert.Equal(expectedIds.Count, page.Total);
            Assert.Equal(expectedIds.Skip(2).Take(5), page.Profiles.Select(profile => profile.Key.Id));

            var streamed = new List<string>();
            await foreach (var profile in _store.StreamAsync(query with { Offset = 1 }))
            {
                streamed.Add(profile.Key.Id);
            }

            Assert.Equal(expectedIds.Skip(1), streamed);

            var snapshot = await _store.SnapshotIdsAsync(query with { Offset = 3, Limit = 4 });
            Assert.Equal(expectedIds.Count, snapshot.Total);
            Assert.Equal(expectedIds.Skip(3).Take(4), snapshot.Window);
            Assert.Equal(expectedIds, await snapshot.ReadAllAsync());

            if (inSql)
            {
                Assert.Equal(before, _store.InMemorySorts);
            }
            else
            {
                Assert.True(_store.InMemorySorts > before, "Expected the matches to be sorted in memory.");
            }
        }
    }

    private static string Explain(List<StoredProfile> expected, IReadOnlyList<string> actual, string sortKey)
    {
        var values = expected.ToDictionary(profile => profile.Key.Id, profile => profile.Properties[sortKey]?.ToJsonString() ?? "(missing)");
        return "expected: " + string.Join(", ", expected.Select(profile => $"{profile.Key.Id}={values[profile.Key.Id]}"))
            + "\nactual:   " + string.Join(", ", actual.Select(id => $"{id}={values.GetValueOrDefault(id, "?")}"));
    }

    private static ProfileUpdate Update(string project, string id, (string Name, JsonNode? Value)? property) => new()
    {
        Key = new ProfileKey(project, "", id),
        Time = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
        Operations = new() { Set = property is { } p ? [new KeyValuePair<string, JsonNode?>(p.Name, p.Value)] : [new KeyValuePair<string, JsonNode?>("other", 1)] },
    };
}
