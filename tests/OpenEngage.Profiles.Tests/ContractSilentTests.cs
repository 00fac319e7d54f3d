using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>
/// Cases the contract does not decide. These pin the library's current decisions so a change to
/// any of them is deliberate.
/// </summary>
public class ContractSilentTests
{
    [Theory]
    [InlineData("\"TRUE\"", true)]
    [InlineData("\"False\"", false)]
    [InlineData("\" true \"", true)]
    [InlineData("\" 0\"", false)]
    public void Boolean_strings_are_read_case_insensitively_and_trimmed(string json, bool expected)
    {
        Assert.Equal(expected, Valid(Record($$"""
            "$ignore_time":{{json}},"$set":{"a":1}
            """)).IgnoreTime);
    }

    [Fact]
    public void A_null_flag_counts_as_absent()
    {
        var update = Valid(Record("\"$ignore_time\":null,\"$ignore_alias\":null,\"$set\":{\"a\":1}"));
        Assert.False(update.IgnoreTime);
        Assert.False(update.IgnoreAlias);
    }

    [Fact]
    public void Null_ip_and_coordinates_count_as_absent_but_a_null_time_is_invalid()
    {
        var update = Valid(Record("\"$ip\":null,\"$latitude\":null,\"$longitude\":null,\"$set\":{\"a\":1}"));
        Assert.Null(update.Ip);
        Assert.False(update.IpDisabled);
        Assert.Equal("$time", Invalid(Record("\"$time\":null,\"$set\":{\"a\":1}")).Field);
    }

    [Theory]
    [InlineData("\"not an ip\"", "not an ip")]
    [InlineData("\"\"", "")]
    public void Ip_strings_are_not_validated_when_read(string json, string expected)
    {
        Assert.Equal(expected, Valid(Record($$"""
            "$ip":{{json}},"$set":{"a":1}
            """)).Ip);
    }

    [Fact]
    public void Coordinates_are_not_range_checked()
    {
        Assert.True(Read(Record("\"$latitude\":500,\"$longitude\":-1000,\"$set\":{\"a\":1}")).IsValid);
    }

    [Fact]
    public void A_negative_time_is_invalid()
    {
        Assert.Equal("$time", Invalid(Record("\"$time\":-1,\"$set\":{\"a\":1}")).Field);
    }

    [Fact]
    public void A_white_space_token_is_accepted()
    {
        Assert.Equal(" ", Valid("""{"$token":" ","$distinct_id":"u1","$set":{"a":1}}""").Token);
    }

    [Fact]
    public void Id_length_is_counted_in_utf16_code_units()
    {
        // 128 emoji are 128 characters to a reader but 256 UTF-16 code units: refused.
        var emoji = string.Concat(Enumerable.Repeat("😀", 128));
        Assert.Equal("$distinct_id", Invalid($$$"""{"$token":"tok","$distinct_id":"{{{emoji}}}","$set":{"a":1}}""").Field);
    }

    [Theory]
    [InlineData("""{"$token":"t","$distinct_id":"u","$set":{"a":"\ud800"}}""")]
    [InlineData("""{"$token":"t","$distinct_id":"\ud800x","$set":{"a":1}}""")]
    [InlineData("""{"$token":"t","$distinct_id":"u","$set":{"\udc00":1}}""")]
    [InlineData("""{"$token":"t","$distinct_id":"u","$union":{"l":["ok","\udfff"]}}""")]
    public void A_string_with_an_unpaired_surrogate_escape_makes_the_record_invalid(string json)
    {
        Assert.Equal("", Invalid(json).Field);
    }

    [Fact]
    public void Nested_object_keys_are_not_truncated()
    {
        var key = new string('k', 300);
        var update = Valid(Record("\"$set\":{\"o\":{" + Quote(key) + ":1}}"));
        Assert.True(update.Operations.Set![0].Value!.AsObject().ContainsKey(key));
        Assert.Empty(update.Warnings);
    }

    [Fact]
    public void Type_conflicts_with_a_stored_null_are_conflicts()
    {
        var result = Apply("{\"n\":null,\"l\":null}", "\"$add\":{\"n\":1},\"$union\":{\"l\":[1]}");
        JsonEqual("{\"n\":null,\"l\":null}", UserProperties(result.Profile!));
        Assert.Equal(2, result.Warnings.Count);
    }

    [Fact]
    public void Unsetting_an_automatic_property_in_the_same_record_wins()
    {
        var created = Upsert(null, "\"$set\":{\"a\":1},\"$unset\":[\"$created\",\"$last_seen\"]");
        JsonEqual("{\"a\":1}", created);
    }

    [Fact]
    public void Set_once_of_a_location_property_keeps_geolocation_off_that_property()
    {
        var update = Valid(Record("\"$set_once\":{\"$city\":\"Paris\"}")).ToUpdate() with { Geo = new GeoInfo("Berlin", null, "DE", null) };
        var profile = Apply("{\"$city\":\"Rome\"}", update).Profile!;
        Assert.Equal("Rome", (string?)profile["$city"]);
        Assert.Equal("DE", (string?)profile["$country_code"]);
    }

    [Fact]
    public void Duplicate_operation_keys_keep_the_last()
    {
        var update = Valid(Record("\"$set\":{\"a\":1},\"$set\":{\"b\":2}"));
        Assert.Equal(["b"], update.Operations.Set!.Select(p => p.Key));
    }

    [Fact]
    public void A_tiny_add_below_decimal_precision_rounds_to_zero()
    {
        var profile = Upsert("{\"n\":1}", "\"$add\":{\"n\":1e-30}");
        JsonText("1", profile["n"]);
    }
}
