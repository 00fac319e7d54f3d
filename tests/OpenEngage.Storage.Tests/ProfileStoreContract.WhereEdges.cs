using System.Text.Json.Nodes;
using OpenEngage.Query;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// Filters whose SQL translation takes shortcuts (a string's JSON text instead of its value, a
/// list's text instead of its elements, one comparison for numbers far from the constant) give
/// the evaluator's answer on the values where a shortcut could go wrong: escaped and quoted text,
/// text that looks like a list, nested lists, booleans against 0 and 1, the ends of the integer
/// range, numbers at the constant, dates that are not real.
/// </summary>
public abstract partial class ProfileStoreContract
{
    private static readonly string[] EdgeValues =
    [
        "\"JP\"", "\"jp\"", "\"J\\\"P\"", "\"J\\\\P\"", "\"\\u004aP\"", "\"<b>\"", "\"é\"", "\"a+b\"", "\"x\\ny\"",
        "\"[\\\"vip\\\"]\"", "\"vip\"", "\"xvipx\"", "\"a,vip\"", "\"\"",
        "[\"vip\"]", "[\"x\",\"vip\"]", "[[\"vip\"]]", "[{\"vip\":1}]", "[\"a,vip\"]", "[\"x\",\"vip\\\"\"]", "[1,\"vip\",true]", "[]",
        "[\"<vip>\"]", "[\"v\\u0069p\"]", "[\"[\",\"vip\"]", "{\"vip\":\"vip\"}", "[\"x\",\",vip\"]",
        "450", "451", "450.0000000001", "449.9999999999", "1", "0", "true", "false", "-9223372036854775808", "9223372036854775807",
        "1e308", "-1e308", "\"451\"", "null", "1.5",
        "\"2024-05-03T10:00:00\"", "\"2024-05-03\"", "\"2024-05-03T10:00:00Z\"", "\"2024-02-30T00:00:00\"", "\"2024-05-08T00:00:00\"",
        "\"2024-04-30T23:00:00-05:00\"", "[\"2024-05-03T10:00:00\"]",
    ];

    [Theory]
    [InlineData("properties[\"p\"] == \"JP\"")]
    [InlineData("properties[\"p\"] != \"JP\"")]
    [InlineData("properties[\"p\"] == \"<b>\" or properties[\"p\"] == \"é\" or properties[\"p\"] == \"a+b\"")]
    [InlineData("properties[\"p\"] == \"[\\\"vip\\\"]\"")]
    [InlineData("properties[\"p\"] == \"\"")]
    [InlineData("\"vip\" in properties[\"p\"]")]
    [InlineData("not (\"vip\" in properties[\"p\"])")]
    [InlineData("\"a,vip\" in properties[\"p\"]")]
    [InlineData("\",vip\" in properties[\"p\"]")]
    [InlineData("\"\" in properties[\"p\"]")]
    [InlineData("\"<vip>\" in properties[\"p\"]")]
    [InlineData("\"vip\\\"\" in properties[\"p\"]")]
    [InlineData("\"[\" in properties[\"p\"]")]
    [InlineData("properties[\"p\"] > 450")]
    [InlineData("properties[\"p\"] >= 450")]
    [InlineData("properties[\"p\"] < 1.5")]
    [InlineData("properties[\"p\"] <= 0")]
    [InlineData("properties[\"p\"] == 1")]
    [InlineData("properties[\"p\"] > 1.5")]
    [InlineData("properties[\"p\"] < -1e300")]
    [InlineData("properties[\"p\"] >= datetime(\"2024-05-01\") and properties[\"p\"] < datetime(\"2024-05-08\")")]
    [InlineData("properties[\"p\"] == \"JP\" or properties[\"p\"] > 450 or \"vip\" in properties[\"p\"]")]
    [InlineData("properties[\"p\"] != \"JP\" and properties[\"p\"] >= 0 and not (\"vip\" in properties[\"p\"])")]
    public async Task WhereFiltersGiveTheEvaluatorsAnswerOnAwkwardValues(string where)
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([
            .. EdgeValues.Select((json, i) => Set($"e{i:D2}", ("p", JsonNode.Parse(json)), ("k", i % 7))),
            Set("none", ("k", 3)),
        ]);
        var filter = WhereExpression.Parse(where);
        var query = new ProfileQuery(Project, "") { Where = filter, Now = T0 };
        var every = await store.QueryAsync(new ProfileQuery(Project, "") { Now = T0 });
        List<string> expected = [.. every.Profiles.Where(profile => filter.Matches(profile.Properties, T0)).Select(profile => profile.Key.Id).Order(StringComparer.Ordinal)];

        Assert.Equal(EdgeValues.Length + 1, every.Total);
        Assert.Equal(expected, await store.QueryIdsAsync(query));
        Assert.Equal(expected.Count, (await store.QueryAsync(query with { Limit = 3 })).Total);

        // Sorted by another property: the same matches, counted with the window.
        var sorted = await store.SnapshotIdsAsync(query with { SortKey = "k", Descending = true, Limit = 5 });
        var all = await sorted.ReadAllAsync();
        Assert.Equal(expected.Count, sorted.Total);
        Assert.Equal(expected, all.Order(StringComparer.Ordinal));
        Assert.Equal(all.Take(5), sorted.Window);
    }
}
