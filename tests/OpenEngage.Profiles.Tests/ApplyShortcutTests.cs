using System.Text.Json.Nodes;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>
/// The shortcuts in <see cref="ProfileEngine.Apply"/> — hashed <c>$union</c> membership on long lists,
/// change detection over the written properties only, warnings copied only when added — give the
/// same answers as the plain rules.
/// </summary>
public sealed class ApplyShortcutTests
{
    private static string LongList(int count) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"v{i}\"")) + ",1,{\"k\":2},null]";

    [Fact]
    public void Union_into_a_long_list_appends_only_values_not_already_there()
    {
        var current = $$"""{"l":{{LongList(20)}},"$last_seen":"{{ReceivedText}}"}""";
        var profile = Upsert(current, "\"$union\":{\"l\":[\"v3\",\"new\",1,1.0,2,{\"k\":2},null,\"new\",\"v19\"]}");

        JsonEqual($$"""{{LongList(20)[..^1]}},"new",2]""", profile["l"]);
    }

    [Fact]
    public void Union_of_values_all_in_a_long_list_changes_nothing()
    {
        var current = $$"""{"l":{{LongList(20)}},"$last_seen":"{{ReceivedText}}"}""";
        var result = Apply(current, "\"$union\":{\"l\":[\"v0\",\"v7\",{\"k\":2},null,1]}");

        Assert.Equal(ApplyStatus.Unchanged, result.Status);
        Assert.Null(result.Profile);
    }

    [Fact]
    public void Union_matches_a_string_held_as_another_type_by_its_text()
    {
        var list = new JsonArray([.. Enumerable.Range(0, 20).Select(i => (JsonNode)$"v{i}")]) { JsonValue.Create(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)) };
        var current = new JsonObject { ["l"] = list, [ProfileEngine.LastSeen] = ReceivedText };
        var update = Valid(Record("\"$union\":{\"l\":[\"2024-01-02T03:04:05Z\",\"v5\"]}"));

        var result = Apply(current, update);

        // As the plain rule, a comparison with every element, decides.
        var present = JsonNode.DeepEquals(list[^1], JsonNode.Parse("\"2024-01-02T03:04:05Z\""));
        Assert.Equal(present ? ApplyStatus.Unchanged : ApplyStatus.Upserted, result.Status);
    }

    [Fact]
    public void A_set_that_writes_the_same_values_is_unchanged_and_a_different_one_is_not()
    {
        var current = $$"""{"a":1,"b":[1,{"x":"y"}],"c":"kept","$last_seen":"{{ReceivedText}}"}""";

        Assert.Equal(ApplyStatus.Unchanged, Apply(current, "\"$set\":{\"a\":1.0,\"b\":[1,{\"x\":\"y\"}]}").Status);
        Assert.Equal(ApplyStatus.Upserted, Apply(current, "\"$set\":{\"a\":1,\"b\":[1,{\"x\":\"z\"}]}").Status);
        Assert.Equal(ApplyStatus.Upserted, Apply(current, "\"$set\":{\"d\":null}").Status);
        Assert.Equal(ApplyStatus.Upserted, Apply(current, "\"$unset\":[\"c\"]").Status);
        Assert.Equal(ApplyStatus.Unchanged, Apply(current, "\"$unset\":[\"missing\"]").Status);
    }

    [Fact]
    public void A_record_that_changes_a_list_and_changes_it_back_is_unchanged()
    {
        var current = $$"""{"l":[1],"$last_seen":"{{ReceivedText}}"}""";

        Assert.Equal(ApplyStatus.Unchanged, Apply(current, "\"$union\":{\"l\":[2]},\"$remove\":{\"l\":2}").Status);
    }

    [Fact]
    public void Only_a_new_last_seen_is_a_change()
    {
        var current = """{"a":1,"$last_seen":"2020-01-01T00:00:00"}""";

        var profile = Upsert(current, "\"$set\":{\"a\":1}");

        Assert.Equal(ReceivedText, (string)profile[ProfileEngine.LastSeen]!);
    }

    [Fact]
    public void Warnings_of_the_record_and_of_applying_it_are_both_reported()
    {
        var update = Valid(Record("\"$add\":{\"s\":1}")) with { Warnings = [new RecordWarning("$set.x", "truncated")] };

        var clean = Apply("""{"s":1}""", update);
        var conflicting = Apply("""{"s":"text"}""", update);

        Assert.Single(clean.Warnings);
        Assert.Equal(["$set.x", "$add.s"], conflicting.Warnings.Select(w => w.Field));
        Assert.Single(update.Warnings);
    }
}
