using System.Text;
using System.Text.Json.Nodes;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>Contract §5: limits on stored data.</summary>
public class LimitsTests
{
    [Fact]
    public void The_defaults_are_mixpanels()
    {
        var limits = ProfileLimits.Default;
        Assert.Equal(255, limits.MaxPropertyNameLength);
        Assert.Equal(255, limits.MaxStringBytes);
        Assert.Equal(2000, limits.MaxPropertiesPerProfile);
        Assert.Equal(256 * 1024, limits.MaxListBytes);
        Assert.Equal(3, limits.MaxObjectDepth);
        Assert.Equal(255, limits.MaxObjectKeys);
    }

    // ---- property names ---------------------------------------------------------------------------

    public static TheoryData<string> EveryOperation => new()
    {
        "$set", "$set_once", "$add", "$union", "$append", "$remove", "$unset",
    };

    private static string OperationOn(string operation, string name) => operation switch
    {
        "$unset" => $"\"$unset\":[{Quote(name)}]",
        "$union" => $"\"{operation}\":{{{Quote(name)}:[1]}}",
        _ => $"\"{operation}\":{{{Quote(name)}:1}}",
    };

    private static IEnumerable<string> NamesIn(ParsedRecord update) =>
        (update.Operations.Set ?? update.Operations.SetOnce ?? update.Operations.Append ?? update.Operations.Remove ?? []).Select(p => p.Key)
            .Concat((update.Operations.Add ?? []).Select(p => p.Key))
            .Concat((update.Operations.Union ?? []).Select(p => p.Key))
            .Concat(update.Operations.Unset ?? []);

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public void Names_longer_than_255_characters_are_truncated_with_a_warning(string operation)
    {
        var name = new string('n', 255) + "tail";
        var update = Valid(Record(OperationOn(operation, name)));
        Assert.Equal(new string('n', 255), Assert.Single(NamesIn(update)));
        var warning = Assert.Single(update.Warnings);
        Assert.Equal($"{operation}.{new string('n', 255)}", warning.Field);
    }

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public void Names_of_255_characters_are_kept_without_warning(string operation)
    {
        var name = new string('n', 255);
        var update = Valid(Record(OperationOn(operation, name)));
        Assert.Equal(name, Assert.Single(NamesIn(update)));
        Assert.Empty(update.Warnings);
    }

    [Fact]
    public void Name_truncation_does_not_split_a_surrogate_pair()
    {
        var name = new string('n', 254) + "😀" + "x";
        var update = Valid(Record(OperationOn("$set", name)));
        Assert.Equal(new string('n', 254), Assert.Single(NamesIn(update)));
        Assert.Single(update.Warnings);
    }

    [Fact]
    public void Truncated_names_collide_and_the_later_value_wins()
    {
        var prefix = new string('n', 255);
        var profile = Upsert(null, $$"""
            "$set":{"{{prefix}}a":1,"{{prefix}}b":2}
            """);
        JsonEqual("2", profile[prefix]);
    }

    [Fact]
    public void Unset_with_a_long_name_removes_the_truncated_property()
    {
        var name = new string('n', 300);
        var created = Upsert(null, $$"""
            "$set":{"{{name}}":1,"keep":1}
            """);
        var profile = Upsert(created.ToJsonString(), $$"""
            "$unset":["{{name}}"]
            """);
        JsonEqual("{\"keep\":1}", UserProperties(profile));
    }

    [Fact]
    public void The_name_limit_is_configurable()
    {
        var update = Valid(Record("\"$set\":{\"abcdefgh\":1,\"abc\":2}"), limits: new ProfileLimits { MaxPropertyNameLength = 5 });
        Assert.Equal(["abcde", "abc"], update.Operations.Set!.Select(p => p.Key));
        Assert.Equal("$set.abcde", Assert.Single(update.Warnings).Field);
    }

    // ---- string values ---------------------------------------------------------------------------

    public static TheoryData<string, int, string> LongStrings => new()
    {
        { new string('a', 255), 255, new string('a', 255) },
        { new string('a', 256), 255, new string('a', 255) },
        { new string('a', 1000), 255, new string('a', 255) },
        // 2-byte characters: 127 fit (254 bytes), the 128th would make 256.
        { new string('é', 128), 255, new string('é', 127) },
        { "a" + new string('é', 127), 255, "a" + new string('é', 127) },
        // 3-byte characters: 85 fit exactly (255 bytes).
        { new string('€', 86), 255, new string('€', 85) },
        { "a" + new string('€', 85), 255, "a" + new string('€', 84) },
        // 4-byte characters (surrogate pairs): 63 fit (252 bytes); never half a pair.
        { string.Concat(Enumerable.Repeat("😀", 64)), 255, string.Concat(Enumerable.Repeat("😀", 63)) },
        { "abc" + string.Concat(Enumerable.Repeat("😀", 64)), 255, "abc" + string.Concat(Enumerable.Repeat("😀", 63)) },
        { "ab" + string.Concat(Enumerable.Repeat("😀", 64)), 255, "ab" + string.Concat(Enumerable.Repeat("😀", 63)) },
        { "abcd" + string.Concat(Enumerable.Repeat("😀", 64)), 255, "abcd" + string.Concat(Enumerable.Repeat("😀", 62)) },
    };

    [Theory]
    [MemberData(nameof(LongStrings))]
    public void String_values_are_truncated_to_255_utf8_bytes_at_a_character_boundary(string value, int budget, string expected)
    {
        var update = Valid(Record($$"""
            "$set":{"s":{{Quote(value)}}}
            """));
        var stored = (string)update.Operations.Set![0].Value!;
        Assert.Equal(expected, stored);
        Assert.True(Encoding.UTF8.GetByteCount(stored) <= budget);
        Assert.Equal(value.Length != expected.Length, update.Warnings.Count == 1);
        if (update.Warnings.Count == 1)
        {
            Assert.Equal("$set.s", update.Warnings[0].Field);
        }
    }

    [Theory]
    [InlineData("\"$set_once\":{\"s\":VALUE}", "$set_once.s")]
    [InlineData("\"$append\":{\"s\":VALUE}", "$append.s")]
    [InlineData("\"$remove\":{\"s\":VALUE}", "$remove.s")]
    [InlineData("\"$union\":{\"s\":VALUE}", "$union.s")]
    [InlineData("\"$union\":{\"s\":[VALUE]}", "$union.s")]
    [InlineData("\"$set\":{\"s\":[1,VALUE]}", "$set.s")]
    [InlineData("\"$set\":{\"s\":{\"inner\":VALUE}}", "$set.s.inner")]
    [InlineData("\"$set\":{\"s\":{\"inner\":[[VALUE]]}}", "$set.s.inner")]
    public void Strings_are_truncated_wherever_they_appear_in_a_value(string template, string field)
    {
        var update = Valid(Record(template.Replace("VALUE", Quote(new string('x', 300)), StringComparison.Ordinal)));
        Assert.Equal(field, Assert.Single(update.Warnings).Field);
        var text = (update.Operations.Set ?? update.Operations.SetOnce ?? update.Operations.Append ?? update.Operations.Remove ?? [])
            .Select(p => p.Value)
            .Concat((update.Operations.Union ?? []).Select(p => (JsonNode?)p.Value))
            .Single()!.ToJsonString();
        Assert.Contains(new string('x', 255), text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 256), text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_string_is_removed_by_its_truncated_form()
    {
        var longText = new string('x', 300);
        var created = Upsert(null, $$"""
            "$union":{"l":["{{longText}}","short"]}
            """);
        var profile = Upsert(created.ToJsonString(), $$"""
            "$remove":{"l":"{{longText}}"}
            """);
        JsonEqual("[\"short\"]", profile["l"]);
    }

    [Fact]
    public void The_string_limit_is_configurable()
    {
        var update = Valid(Record("\"$set\":{\"s\":\"abcdéf\"}"), limits: new ProfileLimits { MaxStringBytes = 5 });
        Assert.Equal("abcd", (string)update.Operations.Set![0].Value!);
    }

    // ---- properties per profile ----------------------------------------------------------------------

    private static string ManyKeys(int count, string prefix = "k") =>
        "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{prefix}{i}\":{i}")) + "}";

    private static string ProfileWith(int count, bool lastSeen = true)
    {
        var profile = JsonNode.Parse(ManyKeys(lastSeen ? count - 1 : count))!.AsObject();
        if (lastSeen)
        {
            profile[ProfileEngine.LastSeen] = "2000-01-01T00:00:00";
        }

        Assert.Equal(count, profile.Count);
        return profile.ToJsonString();
    }

    [Fact]
    public void A_new_profile_may_reach_exactly_2000_properties_counting_the_automatic_ones()
    {
        var profile = Upsert(null, $"\"$set\":{ManyKeys(1998)}");
        Assert.Equal(2000, profile.Count);
    }

    [Fact]
    public void A_record_that_would_give_a_new_profile_2001_properties_is_rejected()
    {
        var result = Apply(null, $"\"$set\":{ManyKeys(1999)}");
        Assert.Equal(ApplyStatus.Rejected, result.Status);
        Assert.False(result.IsApplied);
        Assert.Null(result.Profile);
        Assert.NotNull(result.Error);
        Assert.Contains("2000", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignore_time_leaves_room_for_one_more_property()
    {
        var profile = Upsert(null, $"\"$set\":{ManyKeys(1999)},\"$ignore_time\":true");
        Assert.Equal(2000, profile.Count);
    }

    [Theory]
    [InlineData("\"$set\":{\"k0\":\"changed\"}", ApplyStatus.Upserted)]
    [InlineData("\"$add\":{\"k1\":1}", ApplyStatus.Upserted)]
    [InlineData("\"$set\":{\"new\":1}", ApplyStatus.Rejected)]
    [InlineData("\"$set_once\":{\"new\":1}", ApplyStatus.Rejected)]
    [InlineData("\"$add\":{\"new\":1}", ApplyStatus.Rejected)]
    [InlineData("\"$union\":{\"new\":[1]}", ApplyStatus.Rejected)]
    [InlineData("\"$append\":{\"new\":1}", ApplyStatus.Rejected)]
    [InlineData("\"$set\":{\"new\":1},\"$unset\":[\"k0\"]", ApplyStatus.Upserted)]
    [InlineData("\"$set_once\":{\"k0\":1}", ApplyStatus.Upserted)]
    [InlineData("\"$unset\":[\"k0\"]", ApplyStatus.Upserted)]
    public void A_full_profile_accepts_only_records_that_do_not_add_a_property(string operations, ApplyStatus expected)
    {
        var current = ProfileWith(2000);
        var result = Apply(current, operations);
        Assert.Equal(expected, result.Status);
        if (expected == ApplyStatus.Upserted)
        {
            Assert.True(result.Profile!.Count <= 2000);
        }
        else
        {
            Assert.Null(result.Profile);
            Assert.NotNull(result.Error);
        }
    }

    [Fact]
    public void A_full_profile_without_last_seen_rejects_a_record_that_would_add_it()
    {
        var result = Apply(ProfileWith(2000, lastSeen: false), "\"$set\":{\"k0\":1}");
        Assert.Equal(ApplyStatus.Rejected, result.Status);
        var ignoring = Apply(ProfileWith(2000, lastSeen: false), "\"$set\":{\"k0\":\"x\"},\"$ignore_time\":true");
        Assert.Equal(ApplyStatus.Upserted, ignoring.Status);
    }

    [Theory]
    [InlineData("\"$set\":{\"k0\":\"changed\"}", ApplyStatus.Upserted)]
    [InlineData("\"$unset\":[\"k0\",\"k1\"]", ApplyStatus.Upserted)]
    [InlineData("\"$set\":{\"new\":1}", ApplyStatus.Rejected)]
    public void A_profile_already_over_the_limit_may_change_but_not_grow(string operations, ApplyStatus expected)
    {
        var limits = new ProfileLimits { MaxPropertiesPerProfile = 5 };
        var current = ProfileWith(8);
        var result = Apply(Profile(current), Valid(Record(operations), limits: limits), limits);
        Assert.Equal(expected, result.Status);
    }

    [Fact]
    public void A_rejected_record_keeps_its_reading_warnings()
    {
        var limits = new ProfileLimits { MaxPropertiesPerProfile = 2, MaxStringBytes = 1 };
        var result = Apply(null, "\"$set\":{\"a\":\"long\"}", limits);
        Assert.Equal(ApplyStatus.Rejected, result.Status);
        Assert.Equal("$set.a", Assert.Single(result.Warnings).Field);
    }

    // ---- list size --------------------------------------------------------------------------------

    private static readonly ProfileLimits SevenByteLists = new() { MaxListBytes = 7 };

    [Theory]
    [InlineData("\"$set\":{\"l\":[1,2,3]}", true)]
    [InlineData("\"$set\":{\"l\":[1,2,34]}", false)]
    [InlineData("\"$set_once\":{\"l\":[1,2,34]}", false)]
    [InlineData("\"$union\":{\"l\":[1,2,3]}", true)]
    [InlineData("\"$union\":{\"l\":[1,2,34]}", false)]
    [InlineData("\"$append\":{\"l\":[1,2,3]}", true)]
    [InlineData("\"$append\":{\"l\":[1,2,34]}", false)]
    [InlineData("\"$remove\":{\"l\":[1,2,34]}", false)]
    [InlineData("\"$set\":{\"s\":\"12345678\"}", true)]
    public void A_list_value_larger_than_the_limit_is_invalid(string operation, bool valid)
    {
        var result = Read(Record(operation), limits: SevenByteLists);
        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.EndsWith(".l", result.Error!.Field, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"$union\":{\"l\":[4]}", ApplyStatus.Rejected)]
    [InlineData("\"$union\":{\"l\":[1]}", ApplyStatus.Upserted)]
    [InlineData("\"$append\":{\"l\":4}", ApplyStatus.Rejected)]
    [InlineData("\"$remove\":{\"l\":1}", ApplyStatus.Upserted)]
    public void A_list_that_would_grow_past_the_limit_is_rejected(string operation, ApplyStatus expected)
    {
        var result = Apply(Profile("{\"l\":[1,2,3]}"), Valid(Record(operation), limits: SevenByteLists), SevenByteLists);
        Assert.Equal(expected, result.Status);
        if (expected == ApplyStatus.Rejected)
        {
            Assert.Equal("l", result.Error!.Field);
            Assert.Null(result.Profile);
        }
    }

    [Fact]
    public void The_default_list_limit_is_256_kilobytes()
    {
        // Each element "xxxxxxxxxx" takes 12 bytes plus a comma.
        static string List(int count) => "[" + string.Join(",", Enumerable.Repeat("\"xxxxxxxxxx\"", count)) + "]";
        var fits = 262_144 / 13;
        Assert.True(Read(Record($"\"$set\":{{\"l\":{List(fits)}}}")).IsValid);
        Assert.Equal("$set.l", Invalid(Record($"\"$set\":{{\"l\":{List(fits + 2)}}}")).Field);

        var current = new JsonObject { ["l"] = JsonNode.Parse(List(fits)) };
        var result = Apply(current, Valid(Record("\"$append\":{\"l\":\"xxxxxxxxxxxxxxxxxxxxxxxxxx\"}")));
        Assert.Equal(ApplyStatus.Rejected, result.Status);
    }

    // ---- nested objects -----------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"a\":1}", true)]
    [InlineData("{\"a\":{\"b\":1}}", true)]
    [InlineData("{\"a\":{\"b\":{\"c\":1}}}", true)]
    [InlineData("{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", false)]
    [InlineData("[{\"a\":{\"b\":{\"c\":1}}}]", true)]
    [InlineData("[{\"a\":{\"b\":{\"c\":{}}}}]", false)]
    [InlineData("[[[[{\"a\":{\"b\":{\"c\":1}}}]]]]", true)]
    [InlineData("{\"a\":[{\"b\":[{\"c\":[1]}]}]}", true)]
    [InlineData("{\"a\":[{\"b\":[{\"c\":[{}]}]}]}", false)]
    public void Objects_nest_at_most_three_levels(string value, bool valid)
    {
        var result = Read(Record($"\"$set\":{{\"v\":{value}}}"));
        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.StartsWith("$set.v", result.Error!.Field, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("$set_once")]
    [InlineData("$append")]
    [InlineData("$remove")]
    [InlineData("$union")]
    public void The_depth_limit_holds_for_every_operation_with_values(string operation)
    {
        Assert.True(Read(Record($"\"{operation}\":{{\"v\":{{\"a\":{{\"b\":{{\"c\":1}}}}}}}}")).IsValid);
        Assert.StartsWith(operation + ".v", Invalid(Record($"\"{operation}\":{{\"v\":{{\"a\":{{\"b\":{{\"c\":{{\"d\":1}}}}}}}}}}")).Field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "{\"a\":1}", true)]
    [InlineData(1, "{\"a\":{}}", false)]
    [InlineData(0, "{}", false)]
    [InlineData(0, "[1,\"x\"]", true)]
    public void The_depth_limit_is_configurable(int depth, string value, bool valid)
    {
        Assert.Equal(valid, Read(Record($"\"$set\":{{\"v\":{value}}}"), limits: new ProfileLimits { MaxObjectDepth = depth }).IsValid);
    }

    private static string ObjectWithKeys(int count) =>
        "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"k{i}\":{i}")) + "}";

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void Objects_have_at_most_255_keys(int keys, bool valid)
    {
        Assert.Equal(valid, Read(Record($"\"$set\":{{\"v\":{ObjectWithKeys(keys)}}}")).IsValid);
        Assert.Equal(valid, Read(Record($"\"$set\":{{\"v\":{{\"inner\":{ObjectWithKeys(keys)}}}}}")).IsValid);
        Assert.Equal(valid, Read(Record($"\"$append\":{{\"v\":[{ObjectWithKeys(keys)}]}}")).IsValid);
    }

    [Fact]
    public void The_key_limit_does_not_apply_to_the_operation_object_itself()
    {
        var update = Valid(Record($"\"$set\":{ObjectWithKeys(600)}"));
        Assert.Equal(600, update.Operations.Set!.Count);
    }
}
