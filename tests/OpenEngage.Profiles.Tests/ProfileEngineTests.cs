using System.Text.Json.Nodes;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>Contract §3 and §4: what each operation does to a stored profile.</summary>
public class ProfileEngineTests
{
    private const string T = ReceivedText;

    // ---- $set ------------------------------------------------------------------------------

    [Fact]
    public void Set_creates_a_missing_profile_with_created_and_last_seen()
    {
        var profile = Upsert(null, "\"$set\":{\"name\":\"Ada\",\"age\":36}");
        JsonEqual($$"""{"name":"Ada","age":36,"$created":"{{T}}","$last_seen":"{{T}}"}""", profile);
    }

    [Theory]
    [InlineData("{\"a\":1}", "{\"a\":2}", "{\"a\":2}")]
    [InlineData("{\"a\":1}", "{\"a\":null}", "{\"a\":null}")]
    [InlineData("{\"a\":[1,2]}", "{\"a\":\"x\"}", "{\"a\":\"x\"}")]
    [InlineData("{\"a\":\"x\"}", "{\"a\":{\"k\":[1]}}", "{\"a\":{\"k\":[1]}}")]
    [InlineData("{\"a\":1,\"b\":2}", "{\"c\":3}", "{\"a\":1,\"b\":2,\"c\":3}")]
    [InlineData("{\"a\":1}", "{}", "{\"a\":1}")]
    public void Set_overwrites_each_given_key(string current, string set, string expected)
    {
        var profile = Upsert(current, $"\"$set\":{set}");
        JsonEqual(expected, UserProperties(profile));
    }

    // ---- $set_once ---------------------------------------------------------------------------

    [Theory]
    [InlineData(null, "{\"a\":1}", "{\"a\":1}")]
    [InlineData("{\"b\":2}", "{\"a\":1}", "{\"a\":1,\"b\":2}")]
    [InlineData("{\"a\":2}", "{\"a\":1}", "{\"a\":2}")]
    [InlineData("{\"a\":null}", "{\"a\":1}", "{\"a\":null}")]
    [InlineData("{\"a\":\"\"}", "{\"a\":1}", "{\"a\":\"\"}")]
    [InlineData("{\"a\":[]}", "{\"a\":[1]}", "{\"a\":[]}")]
    [InlineData("{\"a\":false}", "{\"a\":true,\"b\":null}", "{\"a\":false,\"b\":null}")]
    public void Set_once_sets_only_keys_the_profile_lacks(string? current, string setOnce, string expected)
    {
        var profile = Upsert(current, $"\"$set_once\":{setOnce}");
        JsonEqual(expected, UserProperties(profile));
    }

    [Fact]
    public void Set_once_after_set_in_the_same_record_keeps_the_set_value()
    {
        var profile = Upsert(null, "\"$set_once\":{\"a\":\"once\"},\"$set\":{\"a\":\"set\"}");
        JsonEqual("{\"a\":\"set\"}", UserProperties(profile));
    }

    // ---- $add ------------------------------------------------------------------------------

    [Theory]
    [InlineData(null, "5", "5")]
    [InlineData("{}", "-5", "-5")]
    [InlineData("{\"n\":10}", "5", "15")]
    [InlineData("{\"n\":10}", "-15", "-5")]
    [InlineData("{\"n\":10}", "0", "10")]
    [InlineData("{\"n\":10}", "\"2\"", "12")]
    [InlineData("{\"n\":10}", "\"-2.5\"", "7.5")]
    [InlineData("{\"n\":0.1}", "0.2", "0.3")]
    [InlineData("{\"n\":0.1}", "\"0.2\"", "0.3")]
    [InlineData("{\"n\":1.5}", "1.5", "3")]
    [InlineData("{\"n\":3.0}", "0", "3")]
    [InlineData("{\"n\":2.50}", "0.25", "2.75")]
    [InlineData("{\"n\":9223372036854775806}", "1", "9223372036854775807")]
    [InlineData("{\"n\":-9223372036854775807}", "-1", "-9223372036854775808")]
    [InlineData("{\"n\":9223372036854775807}", "-9223372036854775807", "0")]
    [InlineData("{\"n\":9007199254740992}", "1", "9007199254740993")]
    [InlineData("{\"n\":9223372036854775807}", "1", "9223372036854775808")]
    [InlineData("{\"n\":-9223372036854775808}", "-1", "-9223372036854775809")]
    [InlineData("{\"n\":1e3}", "1", "1001")]
    [InlineData("{\"n\":0.000001}", "0.000002", "0.000003")]
    [InlineData("{\"n\":-0.1}", "0.1", "0")]
    public void Add_is_exact(string? current, string delta, string expectedText)
    {
        var profile = Upsert(current, $$"""
            "$add":{"n":{{delta}}}
            """);
        JsonText(expectedText, profile["n"]);
    }

    [Fact]
    public void Add_of_several_keys_treats_each_missing_key_as_zero()
    {
        var profile = Upsert("{\"a\":1}", "\"$add\":{\"a\":2,\"b\":3,\"c\":-4}");
        JsonEqual("{\"a\":3,\"b\":3,\"c\":-4}", UserProperties(profile));
    }

    [Fact]
    public void Add_of_the_same_key_twice_adds_both()
    {
        var profile = Upsert("{\"a\":1}", "\"$add\":{\"a\":2,\"a\":3}");
        JsonText("6", profile["a"]);
    }

    [Fact]
    public void Repeated_tenths_stay_exact()
    {
        JsonObject? profile = null;
        for (var i = 0; i < 10; i++)
        {
            profile = Upsert(profile?.ToJsonString(), "\"$add\":{\"n\":0.1}");
        }

        JsonText("1", profile!["n"]);
    }

    [Fact]
    public void Add_beyond_the_decimal_range_does_not_fail()
    {
        var max = decimal.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var onLong = Upsert("{\"n\":1}", $$"""
            "$add":{"n":{{max}}}
            """);
        Assert.Equal(1 + (double)decimal.MaxValue, onLong["n"]!.GetValue<double>(), 1e-6);

        var onDecimal = Upsert($$"""{"n":{{max}}}""", $$"""
            "$add":{"n":{{max}}}
            """);
        Assert.Equal(2 * (double)decimal.MaxValue, onDecimal["n"]!.GetValue<double>(), 1e-6);

        var onHuge = Upsert("{\"n\":1e300}", "\"$add\":{\"n\":1}");
        Assert.Equal(1e300, onHuge["n"]!.GetValue<double>());
    }

    // ---- $union ----------------------------------------------------------------------------

    [Theory]
    [InlineData(null, "[1,2]", "[1,2]")]
    [InlineData("{}", "[1,1,2,2,1]", "[1,2]")]
    [InlineData("{}", "[]", "[]")]
    [InlineData("{}", "\"x\"", "[\"x\"]")]
    [InlineData("{\"l\":[1]}", "2", "[1,2]")]
    [InlineData("{\"l\":[3,1]}", "[1,2,3,4]", "[3,1,2,4]")]
    [InlineData("{\"l\":[1,1,2]}", "[2,3,3]", "[1,1,2,3]")]
    [InlineData("{\"l\":[\"b\",\"a\",\"b\"]}", "[\"a\",\"c\"]", "[\"b\",\"a\",\"b\",\"c\"]")]
    [InlineData("{\"l\":[]}", "[null,null]", "[null]")]
    [InlineData("{\"l\":[1]}", "[\"1\"]", "[1,\"1\"]")]
    [InlineData("{\"l\":[true]}", "[1,true]", "[true,1]")]
    [InlineData("{\"l\":[[1,2]]}", "[[1,2],[2,1]]", "[[1,2],[2,1]]")]
    [InlineData("{\"l\":[{\"a\":1,\"b\":2}]}", "[{\"b\":2,\"a\":1},{\"a\":1}]", "[{\"a\":1,\"b\":2},{\"a\":1}]")]
    public void Union_appends_only_values_not_already_present(string? current, string values, string expected)
    {
        var profile = Upsert(current, $$"""
            "$union":{"l":{{values}}}
            """);
        JsonEqual(expected, profile["l"]);
    }

    [Theory]
    [InlineData("{\"l\":[1]}", "[1.0]", "[1]")]
    [InlineData("{\"l\":[1.0]}", "[1]", "[1.0]")]
    [InlineData("{\"l\":[100]}", "[1e2]", "[100]")]
    [InlineData("{\"l\":[{\"n\":1}]}", "[{\"n\":1.00}]", "[{\"n\":1}]")]
    [InlineData("{\"l\":[\"a\"]}", "[\"\\u0061\"]", "[\"a\"]")]
    public void Union_compares_json_values_not_their_spelling(string current, string values, string expectedText)
    {
        var profile = Upsert(current, $$"""
            "$union":{"l":{{values}}}
            """);
        Assert.Single(profile["l"]!.AsArray());
        JsonText(expectedText, profile["l"]);
    }

    [Fact]
    public void Union_of_a_fresh_list_into_a_new_profile_is_a_list_of_distinct_values()
    {
        var profile = Upsert(null, "\"$union\":{\"tags\":[\"a\",\"b\",\"a\"],\"one\":7}");
        JsonEqual($$"""{"tags":["a","b"],"one":[7],"$created":"{{T}}","$last_seen":"{{T}}"}""", profile);
    }

    // ---- $append -----------------------------------------------------------------------------

    [Theory]
    [InlineData(null, "1", "[1]")]
    [InlineData("{}", "\"x\"", "[\"x\"]")]
    [InlineData("{}", "[1,2]", "[[1,2]]")]
    [InlineData("{}", "null", "[null]")]
    [InlineData("{}", "{\"k\":1}", "[{\"k\":1}]")]
    [InlineData("{\"l\":[1]}", "1", "[1,1]")]
    [InlineData("{\"l\":[1]}", "[2,3]", "[1,[2,3]]")]
    [InlineData("{\"l\":[]}", "[]", "[[]]")]
    [InlineData("{\"l\":[\"a\"]}", "\"b\"", "[\"a\",\"b\"]")]
    public void Append_adds_the_value_as_one_element(string? current, string value, string expected)
    {
        var profile = Upsert(current, $$"""
            "$append":{"l":{{value}}}
            """);
        JsonEqual(expected, profile["l"]);
    }

    // ---- $remove -----------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"l\":[1,2,1,3,1]}", "1", "[2,3]")]
    [InlineData("{\"l\":[1,2]}", "5", "[1,2]")]
    [InlineData("{\"l\":[1,2]}", "1.0", "[2]")]
    [InlineData("{\"l\":[1.0,2]}", "1", "[2]")]
    [InlineData("{\"l\":[\"1\",1]}", "\"1\"", "[1]")]
    [InlineData("{\"l\":[[1,2],1,2]}", "[1,2]", "[1,2]")]
    [InlineData("{\"l\":[{\"a\":1,\"b\":2},{\"a\":1}]}", "{\"b\":2,\"a\":1}", "[{\"a\":1}]")]
    [InlineData("{\"l\":[null,1,null]}", "null", "[1]")]
    [InlineData("{\"l\":[]}", "1", "[]")]
    [InlineData("{\"l\":[1]}", "1", "[]")]
    public void Remove_removes_every_equal_element(string current, string value, string expected)
    {
        var profile = Upsert(current, $$"""
            "$remove":{"l":{{value}}}
            """);
        JsonEqual(expected, profile["l"]);
    }

    [Fact]
    public void Remove_of_a_missing_key_changes_nothing_but_last_seen()
    {
        var profile = Upsert("{\"a\":1}", "\"$remove\":{\"l\":1}");
        JsonEqual($$"""{"a":1,"$last_seen":"{{T}}"}""", profile);
    }

    // ---- $unset -----------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3}", "[\"a\",\"c\"]", "{\"b\":2}")]
    [InlineData("{\"a\":1,\"b\":2}", "\"a\"", "{\"b\":2}")]
    [InlineData("{\"a\":1}", "[\"zz\"]", "{\"a\":1}")]
    [InlineData("{\"a\":1}", "[]", "{\"a\":1}")]
    [InlineData("{\"a\":null}", "[\"a\",\"a\"]", "{}")]
    public void Unset_removes_the_named_keys(string current, string names, string expected)
    {
        var profile = Upsert(current, $"\"$unset\":{names}");
        JsonEqual(expected, UserProperties(profile));
    }

    // ---- missing profiles and $delete ----------------------------------------------------------

    [Theory]
    [InlineData("\"$remove\":{\"l\":1}")]
    [InlineData("\"$unset\":[\"a\"]")]
    [InlineData("\"$unset\":\"a\"")]
    [InlineData("\"$delete\":\"\"")]
    [InlineData("\"$remove\":{\"l\":1},\"$unset\":[\"a\"]")]
    public void A_missing_profile_is_not_created_by_remove_unset_or_delete(string operations)
    {
        var result = Apply(null, operations);
        Assert.Equal(ApplyStatus.Unchanged, result.Status);
        Assert.True(result.IsApplied);
        Assert.Null(result.Profile);
        Assert.Null(result.Error);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":1}")]
    [InlineData("\"$set_once\":{\"a\":1}")]
    [InlineData("\"$add\":{\"a\":1}")]
    [InlineData("\"$union\":{\"a\":[1]}")]
    [InlineData("\"$append\":{\"a\":1}")]
    [InlineData("\"$set\":{}")]
    [InlineData("\"$add\":{},\"$unset\":[\"x\"]")]
    public void A_missing_profile_is_created_by_set_set_once_add_union_and_append(string operations)
    {
        var profile = Upsert(null, operations);
        Assert.Equal(T, (string?)profile[ProfileEngine.Created]);
        Assert.Equal(T, (string?)profile[ProfileEngine.LastSeen]);
    }

    [Fact]
    public void Delete_deletes_an_existing_profile()
    {
        var result = Apply("{\"a\":1}", "\"$delete\":\"\"");
        Assert.Equal(ApplyStatus.Deleted, result.Status);
        Assert.True(result.IsApplied);
        Assert.Null(result.Profile);
    }

    [Fact]
    public void Delete_ignores_ignore_time_and_time()
    {
        var result = Apply("{\"a\":1}", "\"$delete\":true,\"$ignore_time\":true,\"$time\":1");
        Assert.Equal(ApplyStatus.Deleted, result.Status);
    }

    // ---- fixed order ------------------------------------------------------------------------

    public static TheoryData<string?, string, string> OrderCases => new()
    {
        // $set before $unset, whatever the record's key order.
        { null, "\"$unset\":[\"a\"],\"$set\":{\"a\":1,\"b\":2}", "{\"b\":2}" },
        // $set before $set_once.
        { null, "\"$set_once\":{\"a\":\"once\"},\"$set\":{\"a\":\"set\"}", "{\"a\":\"set\"}" },
        // $set before $add.
        { "{\"n\":100}", "\"$add\":{\"n\":1},\"$set\":{\"n\":5}", "{\"n\":6}" },
        // $set_once before $add.
        { null, "\"$add\":{\"n\":1},\"$set_once\":{\"n\":10}", "{\"n\":11}" },
        // $union before $append.
        { null, "\"$append\":{\"l\":1},\"$union\":{\"l\":[1]}", "{\"l\":[1,1]}" },
        // $append before $remove.
        { "{\"l\":[2]}", "\"$remove\":{\"l\":1},\"$append\":{\"l\":1}", "{\"l\":[2]}" },
        // $union before $remove.
        { null, "\"$remove\":{\"l\":\"x\"},\"$union\":{\"l\":[\"x\",\"y\"]}", "{\"l\":[\"y\"]}" },
        // $remove before $unset.
        { "{\"l\":[1]}", "\"$unset\":[\"l\"],\"$remove\":{\"l\":1}", "{}" },
        // $add before $union: the number is then not a list (conflict, left as the sum).
        { null, "\"$union\":{\"n\":[1]},\"$add\":{\"n\":1}", "{\"n\":1}" },
        // $set a list, then $union, $append, $remove onto it.
        { null, "\"$remove\":{\"l\":0},\"$append\":{\"l\":[9]},\"$union\":{\"l\":[2,0]},\"$set\":{\"l\":[0,1]}", "{\"l\":[1,2,[9]]}" },
        // $unset last: everything set by the record under that name is gone.
        { "{\"k\":1}", "\"$set\":{\"k\":2},\"$add\":{\"k\":3},\"$unset\":\"k\"", "{}" },
    };

    [Theory]
    [MemberData(nameof(OrderCases))]
    public void Operations_apply_in_the_fixed_order(string? current, string operations, string expected)
    {
        JsonEqual(expected, UserProperties(Upsert(current, operations)));
    }

    // ---- type conflicts -------------------------------------------------------------------------

    public static TheoryData<string, string, string> Conflicts => new()
    {
        { "\"$add\":{\"v\":1}", "\"text\"", "$add.v" },
        { "\"$add\":{\"v\":1}", "\"5\"", "$add.v" },
        { "\"$add\":{\"v\":1}", "null", "$add.v" },
        { "\"$add\":{\"v\":1}", "true", "$add.v" },
        { "\"$add\":{\"v\":1}", "[1]", "$add.v" },
        { "\"$add\":{\"v\":1}", "{\"n\":1}", "$add.v" },
        { "\"$union\":{\"v\":[1]}", "\"text\"", "$union.v" },
        { "\"$union\":{\"v\":[1]}", "1", "$union.v" },
        { "\"$union\":{\"v\":[1]}", "null", "$union.v" },
        { "\"$union\":{\"v\":[1]}", "{\"a\":1}", "$union.v" },
        { "\"$append\":{\"v\":1}", "\"text\"", "$append.v" },
        { "\"$append\":{\"v\":1}", "0", "$append.v" },
        { "\"$append\":{\"v\":1}", "null", "$append.v" },
        { "\"$append\":{\"v\":1}", "false", "$append.v" },
        { "\"$remove\":{\"v\":1}", "\"1\"", "$remove.v" },
        { "\"$remove\":{\"v\":1}", "1", "$remove.v" },
        { "\"$remove\":{\"v\":1}", "null", "$remove.v" },
        { "\"$remove\":{\"v\":1}", "{\"1\":1}", "$remove.v" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_stored_value_of_the_wrong_type_is_left_unchanged_with_a_warning(string operation, string stored, string field)
    {
        var current = $$"""{"v":{{stored}},"w":1}""";
        var result = Apply(current, $"{operation},\"$set\":{{\"w\":2}}");
        Assert.Equal(ApplyStatus.Upserted, result.Status);
        JsonEqual(stored, result.Profile!["v"]);
        JsonEqual("2", result.Profile!["w"]);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(field, warning.Field);
        Assert.Contains("left unchanged", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_conflicting_key_is_skipped()
    {
        var result = Apply("{\"s\":\"x\",\"n\":1}", "\"$add\":{\"s\":1,\"n\":1,\"m\":2}");
        JsonEqual("{\"s\":\"x\",\"n\":2,\"m\":2}", UserProperties(result.Profile!));
        Assert.Equal("$add.s", Assert.Single(result.Warnings).Field);
    }

    [Fact]
    public void A_conflict_inside_the_same_record_is_also_a_warning()
    {
        var result = Apply(null, "\"$set\":{\"a\":\"text\"},\"$add\":{\"a\":1},\"$append\":{\"a\":1}");
        JsonEqual("{\"a\":\"text\"}", UserProperties(result.Profile!));
        Assert.Equal(["$add.a", "$append.a"], result.Warnings.Select(w => w.Field));
    }

    // ---- $created -------------------------------------------------------------------------------

    [Fact]
    public void Created_is_set_only_when_the_profile_is_created()
    {
        var created = Upsert(null, "\"$set\":{\"a\":1},\"$time\":1700000000");
        Assert.Equal("2023-11-14T22:13:20", (string?)created[ProfileEngine.Created]);

        var later = Upsert(created.ToJsonString(), "\"$set\":{\"a\":2},\"$time\":1800000000");
        Assert.Equal("2023-11-14T22:13:20", (string?)later[ProfileEngine.Created]);
        Assert.Equal("2027-01-15T08:00:00", (string?)later[ProfileEngine.LastSeen]);
    }

    [Fact]
    public void An_existing_profile_without_created_does_not_get_one()
    {
        var profile = Upsert("{\"a\":1}", "\"$set\":{\"b\":1}");
        Assert.False(profile.ContainsKey(ProfileEngine.Created));
    }

    [Theory]
    [InlineData("\"$set\":{\"$created\":\"2020-01-01T00:00:00\"}", "\"2020-01-01T00:00:00\"")]
    [InlineData("\"$set_once\":{\"$created\":\"2020-01-01T00:00:00\"}", "\"2020-01-01T00:00:00\"")]
    [InlineData("\"$set\":{\"$created\":null}", "null")]
    [InlineData("\"$set\":{\"$created\":1577836800}", "1577836800")]
    public void A_creating_record_that_sets_created_keeps_its_value(string operations, string expected)
    {
        JsonEqual(expected, Upsert(null, operations)[ProfileEngine.Created]);
    }

    [Fact]
    public void A_later_record_may_overwrite_created_explicitly()
    {
        var profile = Upsert($$"""{"$created":"{{T}}"}""", "\"$set\":{\"$created\":\"2020-01-01T00:00:00\"}");
        Assert.Equal("2020-01-01T00:00:00", (string?)profile[ProfileEngine.Created]);
    }

    // ---- $last_seen -----------------------------------------------------------------------------

    [Theory]
    [InlineData("\"$set\":{\"a\":2}")]
    [InlineData("\"$set_once\":{\"a\":2}")]
    [InlineData("\"$add\":{\"n\":1}")]
    [InlineData("\"$union\":{\"l\":[1]}")]
    [InlineData("\"$append\":{\"l\":1}")]
    [InlineData("\"$remove\":{\"l\":1}")]
    [InlineData("\"$unset\":[\"zz\"]")]
    public void Every_operation_but_delete_sets_last_seen(string operation)
    {
        var profile = Upsert("{\"a\":1,\"l\":[],\"$last_seen\":\"2000-01-01T00:00:00\"}", operation + ",\"$time\":1700000000");
        Assert.Equal("2023-11-14T22:13:20", (string?)profile[ProfileEngine.LastSeen]);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":2}")]
    [InlineData("\"$add\":{\"n\":1}")]
    [InlineData("\"$unset\":[\"a\"]")]
    public void Ignore_time_leaves_last_seen_alone(string operation)
    {
        var profile = Upsert("{\"a\":1,\"$last_seen\":\"2000-01-01T00:00:00\"}", operation + ",\"$ignore_time\":true");
        Assert.Equal("2000-01-01T00:00:00", (string?)profile[ProfileEngine.LastSeen]);
    }

    [Fact]
    public void Ignore_time_on_creation_still_sets_created_but_not_last_seen()
    {
        var profile = Upsert(null, "\"$set\":{\"a\":1},\"$ignore_time\":\"1\"");
        Assert.Equal(T, (string?)profile[ProfileEngine.Created]);
        Assert.False(profile.ContainsKey(ProfileEngine.LastSeen));
    }

    [Fact]
    public void Ignore_time_false_still_sets_last_seen()
    {
        var profile = Upsert("{\"a\":1}", "\"$set\":{\"a\":2},\"$ignore_time\":\"false\"");
        Assert.Equal(T, (string?)profile[ProfileEngine.LastSeen]);
    }

    [Theory]
    [InlineData("\"$set\":{\"$last_seen\":\"2001-02-03T04:05:06\"}")]
    [InlineData("\"$set_once\":{\"$last_seen\":\"2001-02-03T04:05:06\"}")]
    public void An_explicit_last_seen_wins_over_the_automatic_one(string operation)
    {
        var profile = Upsert(null, operation);
        Assert.Equal("2001-02-03T04:05:06", (string?)profile[ProfileEngine.LastSeen]);
        Assert.Equal(T, (string?)profile[ProfileEngine.Created]);
    }

    [Fact]
    public void Automatic_times_use_the_record_time_in_utc_without_fraction()
    {
        var update = Valid(Record("\"$set\":{\"a\":1}")) with { Time = new DateTimeOffset(2024, 1, 2, 1, 30, 15, 999, TimeSpan.FromHours(5)) };
        var profile = Apply((JsonObject?)null, update).Profile!;
        Assert.Equal("2024-01-01T20:30:15", (string?)profile[ProfileEngine.Created]);
        Assert.Equal("2024-01-01T20:30:15", (string?)profile[ProfileEngine.LastSeen]);
    }

    [Fact]
    public void Millisecond_times_are_formatted_to_the_second()
    {
        var profile = Upsert(null, "\"$set\":{\"a\":1},\"$time\":\"1700000000999\"");
        Assert.Equal("2023-11-14T22:13:20", (string?)profile[ProfileEngine.LastSeen]);
    }

    // ---- geolocation ----------------------------------------------------------------------------

    private static readonly GeoInfo Berlin = new("Berlin", "Land Berlin", "DE", "Europe/Berlin");

    [Theory]
    [InlineData("\"$set\":{\"a\":1}")]
    [InlineData("\"$set_once\":{\"a\":1}")]
    [InlineData("\"$set\":{},\"$add\":{\"n\":1}")]
    public void Records_that_set_properties_receive_geolocation(string operations)
    {
        var update = Valid(Record(operations)).ToUpdate() with { Geo = Berlin };
        var profile = Apply((JsonObject?)null, update).Profile!;
        Assert.Equal("Berlin", (string?)profile["$city"]);
        Assert.Equal("Land Berlin", (string?)profile["$region"]);
        Assert.Equal("DE", (string?)profile["$country_code"]);
        Assert.Equal("Europe/Berlin", (string?)profile["$timezone"]);
    }

    [Theory]
    [InlineData("\"$add\":{\"n\":1}")]
    [InlineData("\"$union\":{\"l\":[1]}")]
    [InlineData("\"$append\":{\"l\":1}")]
    [InlineData("\"$remove\":{\"l\":1}")]
    [InlineData("\"$unset\":[\"x\"]")]
    public void Other_records_receive_no_geolocation(string operation)
    {
        var update = Valid(Record(operation)).ToUpdate() with { Geo = Berlin };
        var profile = Apply("{\"l\":[]}", update).Profile!;
        Assert.False(profile.ContainsKey("$city"));
        Assert.False(profile.ContainsKey("$region"));
        Assert.False(profile.ContainsKey("$country_code"));
        Assert.False(profile.ContainsKey("$timezone"));
    }

    [Fact]
    public void Values_the_record_sets_explicitly_win_over_geolocation()
    {
        var update = Valid(Record("\"$set\":{\"$city\":\"Paris\"},\"$set_once\":{\"$region\":\"IDF\"}")).ToUpdate() with { Geo = Berlin };
        var profile = Apply("{\"$region\":\"Old\"}", update).Profile!;
        Assert.Equal("Paris", (string?)profile["$city"]);
        Assert.Equal("Old", (string?)profile["$region"]);
        Assert.Equal("DE", (string?)profile["$country_code"]);
        Assert.Equal("Europe/Berlin", (string?)profile["$timezone"]);
    }

    [Fact]
    public void Geolocation_replaces_an_earlier_location()
    {
        var update = Valid(Record("\"$set\":{\"a\":1}")).ToUpdate() with { Geo = Berlin };
        var profile = Apply("{\"$city\":\"Paris\",\"$country_code\":\"FR\"}", update).Profile!;
        Assert.Equal("Berlin", (string?)profile["$city"]);
        Assert.Equal("DE", (string?)profile["$country_code"]);
    }

    [Fact]
    public void Unknown_parts_of_a_location_are_not_written()
    {
        var update = Valid(Record("\"$set\":{\"a\":1}")).ToUpdate() with { Geo = new GeoInfo(null, null, "DE", null) };
        var profile = Apply("{\"$city\":\"Paris\"}", update).Profile!;
        Assert.Equal("Paris", (string?)profile["$city"]);
        Assert.Equal("DE", (string?)profile["$country_code"]);
        Assert.False(profile.ContainsKey("$region"));
        Assert.False(profile.ContainsKey("$timezone"));
    }

    [Fact]
    public void The_ip_address_itself_is_never_stored()
    {
        var update = Valid(Record("\"$ip\":\"203.0.113.9\",\"$set\":{\"a\":1}")).ToUpdate() with { Geo = Berlin };
        var profile = Apply((JsonObject?)null, update).Profile!;
        Assert.DoesNotContain("203.0.113.9", profile.ToJsonString(), StringComparison.Ordinal);
        Assert.False(profile.ContainsKey("$ip"));
    }

    [Fact]
    public void Modifiers_are_not_stored_as_properties()
    {
        var profile = Upsert(null, "\"$time\":1700000000,\"$ip\":\"0\",\"$ignore_alias\":false,\"$latitude\":1.5,\"$longitude\":2.5,\"$device_id\":\"d\",\"$set\":{\"a\":1}");
        JsonEqual("{\"a\":1}", UserProperties(profile));
    }

    // ---- status, warnings, purity -----------------------------------------------------------------

    [Fact]
    public void An_update_that_changes_nothing_reports_unchanged()
    {
        var result = Apply("{\"a\":1,\"l\":[1]}", "\"$set\":{\"a\":1},\"$union\":{\"l\":[1]},\"$ignore_time\":true");
        Assert.Equal(ApplyStatus.Unchanged, result.Status);
        Assert.Null(result.Profile);
        Assert.True(result.IsApplied);
    }

    [Fact]
    public void Reading_warnings_are_carried_into_the_result()
    {
        var longName = new string('n', 300);
        var update = Valid(Record($$"""
            "$set":{"{{longName}}":1}
            """));
        var result = Apply((JsonObject?)null, update);
        Assert.Equal(ApplyStatus.Upserted, result.Status);
        Assert.Contains(result.Warnings, w => w.Field == "$set." + new string('n', 255));
        Assert.True(result.Profile!.ContainsKey(new string('n', 255)));
    }

    [Fact]
    public void Applying_never_mutates_the_stored_profile_or_the_update()
    {
        var current = Profile("{\"a\":1,\"l\":[1,2],\"o\":{\"k\":[1]}}")!;
        var before = current.ToJsonString();
        var update = Valid(Record("\"$set\":{\"o\":{\"k\":[2]}},\"$add\":{\"a\":1},\"$union\":{\"l\":[3]},\"$append\":{\"l\":[4]},\"$remove\":{\"l\":1},\"$unset\":[\"x\"]"));
        var first = Apply(current, update);
        var second = Apply(current, update);
        Assert.Equal(before, current.ToJsonString());
        Assert.True(JsonNode.DeepEquals(first.Profile, second.Profile));
        first.Profile!["l"]!.AsArray().Add(99);
        Assert.Equal(before, current.ToJsonString());
        JsonEqual("[2,3,[4]]", Apply(current, update).Profile!["l"]);
    }

    [Fact]
    public void The_engine_and_its_limits_are_exposed()
    {
        var limits = new ProfileLimits { MaxPropertiesPerProfile = 7 };
        Assert.Same(limits, new ProfileEngine(limits).Limits);
        Assert.Same(limits, new RecordReader(limits).Limits);
    }
}
