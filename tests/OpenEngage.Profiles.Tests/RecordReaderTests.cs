using System.Text.Json;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>Contract §2: the shape of a record, its required fields and modifiers.</summary>
public class RecordReaderTests
{
    // ---- $token -------------------------------------------------------------------------

    [Fact]
    public void A_minimal_record_is_read_with_its_token_and_id()
    {
        var update = Valid("""{"$token":"tok","$distinct_id":"u1","$set":{"a":1}}""");
        Assert.Equal("tok", update.Token);
        Assert.Equal("u1", update.DistinctId);
        Assert.Equal("", update.GroupKey);
        Assert.Equal(Received, update.Time);
    }

    [Theory]
    [InlineData("""{"$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":"","$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":null,"$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":123,"$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":true,"$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":["tok"],"$distinct_id":"u1","$set":{"a":1}}""")]
    [InlineData("""{"$token":{"t":"tok"},"$distinct_id":"u1","$set":{"a":1}}""")]
    public void Token_is_required_and_must_be_a_non_empty_string(string json)
    {
        Assert.Equal("$token", Invalid(json).Field);
    }

    // ---- $distinct_id -------------------------------------------------------------------

    [Theory]
    [InlineData("""{"$token":"tok","$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":null,"$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":true,"$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":["u1"],"$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":{"id":"u1"},"$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":"","$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":" ","$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":"\t\n \r","$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$distinct_id":"\u00a0\u2003","$set":{"a":1}}""")]
    [InlineData("""{"$token":"tok","$user_id":"u1","$set":{"a":1}}""")]
    public void Distinct_id_is_required_and_must_not_be_empty_or_blank(string json)
    {
        Assert.Equal("$distinct_id", Invalid(json).Field);
    }

    [Theory]
    [InlineData("12345", "12345")]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-42", "-42")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("9223372036854775808", "9223372036854775808")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("123456789012345678901234567891", "123456789012345678901234567891")]
    [InlineData("1.5", "1.5")]
    [InlineData("1.50", "1.5")]
    [InlineData("1.0", "1")]
    [InlineData("-0.0", "0")]
    [InlineData("1e2", "100")]
    [InlineData("1E+2", "100")]
    [InlineData("2.5e-3", "0.0025")]
    [InlineData("1e-30", "0.000000000000000000000000000001")]
    [InlineData("1e30", "1000000000000000000000000000000")]
    [InlineData("0.1234567890123456789012345678901234", "0.1234567890123456789012345678901234")]
    [InlineData("-12.340e1", "-123.4")]
    [InlineData("0e5", "0")]
    public void A_numeric_distinct_id_becomes_its_exact_decimal_string(string number, string expected)
    {
        var update = Valid($$$"""{"$token":"tok","$distinct_id":{{{number}}},"$set":{"a":1}}""");
        Assert.Equal(expected, update.DistinctId);
    }

    [Theory]
    [InlineData("1e255")]
    [InlineData("1e-255")]
    [InlineData("1e999")]
    [InlineData("-1e999")]
    [InlineData("1e-999")]
    [InlineData("1e99999999999999999999")]
    public void A_number_whose_decimal_string_is_too_long_is_an_invalid_id(string number)
    {
        var error = Invalid($$$"""{"$token":"tok","$distinct_id":{{{number}}},"$set":{"a":1}}""");
        Assert.Equal("$distinct_id", error.Field);
    }

    [Fact]
    public void Different_large_numbers_never_share_an_id()
    {
        var a = Valid("""{"$token":"tok","$distinct_id":123456789012345678901234567890,"$set":{"a":1}}""");
        var b = Valid("""{"$token":"tok","$distinct_id":123456789012345678901234567891,"$set":{"a":1}}""");
        var c = Valid("""{"$token":"tok","$distinct_id":1e-30,"$set":{"a":1}}""");
        Assert.NotEqual(a.DistinctId, b.DistinctId);
        Assert.NotEqual("0", c.DistinctId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(254)]
    [InlineData(255)]
    public void Ids_up_to_255_characters_are_kept_whole(int length)
    {
        var id = new string('x', length);
        Assert.Equal(id, Valid($$$"""{"$token":"tok","$distinct_id":"{{{id}}}","$set":{"a":1}}""").DistinctId);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(10_000)]
    public void Ids_longer_than_255_characters_are_invalid_never_truncated(int length)
    {
        var id = new string('x', length);
        var result = Read($$$"""{"$token":"tok","$distinct_id":"{{{id}}}","$set":{"a":1}}""");
        Assert.False(result.IsValid);
        Assert.Equal("$distinct_id", result.Error!.Field);
        Assert.Equal(id, result.DistinctId);
    }

    [Fact]
    public void A_256_digit_number_is_an_invalid_id()
    {
        var digits = "1" + new string('0', 255);
        Assert.Equal("$distinct_id", Invalid($$$"""{"$token":"tok","$distinct_id":{{{digits}}},"$set":{"a":1}}""").Field);
        var ok = "1" + new string('0', 254);
        Assert.Equal(ok, Valid($$$"""{"$token":"tok","$distinct_id":{{{ok}}},"$set":{"a":1}}""").DistinctId);
    }

    [Theory]
    [InlineData(" u1")]
    [InlineData("u1 ")]
    [InlineData("Ünïcødé 😀")]
    [InlineData("$device:abc")]
    public void String_ids_are_kept_exactly_as_sent(string id)
    {
        Assert.Equal(id, Valid($$$"""{"$token":"tok","$distinct_id":{{{Quote(id)}}},"$set":{"a":1}}""").DistinctId);
    }

    [Fact]
    public void The_distinct_id_of_a_refused_record_is_reported()
    {
        var result = Read("""{"$token":"tok","$distinct_id":"u7","$add":{"credits":"lots"}}""");
        Assert.False(result.IsValid);
        Assert.Equal("u7", result.DistinctId);
        Assert.Equal("$add.credits", result.Error!.Field);
    }

    // ---- lenient booleans -----------------------------------------------------------------

    public static TheoryData<string, bool> AcceptedBooleans => new()
    {
        { "true", true },
        { "false", false },
        { "1", true },
        { "0", false },
        { "\"true\"", true },
        { "\"false\"", false },
        { "\"1\"", true },
        { "\"0\"", false },
    };

    [Theory]
    [MemberData(nameof(AcceptedBooleans))]
    public void Ignore_time_accepts_the_lenient_booleans(string json, bool expected)
    {
        var update = Valid(Record($$"""
            "$ignore_time":{{json}},"$set":{"a":1}
            """));
        Assert.Equal(expected, update.IgnoreTime);
        Assert.False(update.IgnoreAlias);
    }

    [Theory]
    [MemberData(nameof(AcceptedBooleans))]
    public void Ignore_alias_accepts_the_lenient_booleans(string json, bool expected)
    {
        var update = Valid(Record($$"""
            "$ignore_alias":{{json}},"$set":{"a":1}
            """));
        Assert.Equal(expected, update.IgnoreAlias);
        Assert.False(update.IgnoreTime);
    }

    [Theory]
    [MemberData(nameof(AcceptedBooleans))]
    public void ParseLenientBoolean_accepts_the_contract_forms(string json, bool expected)
    {
        Assert.Equal(expected, RecordReader.ParseLenientBoolean(JsonDocument.Parse(json).RootElement));
    }

    public static TheoryData<string> RefusedBooleans => new()
    {
        "2", "-1", "1.5", "0.5", "1e0", "\"yes\"", "\"no\"", "\"\"", "\"t\"", "\"f\"", "\"2\"", "\"on\"", "\"01\"",
        "[]", "[true]", "{}", "{\"value\":true}",
    };

    [Theory]
    [MemberData(nameof(RefusedBooleans))]
    public void Ignore_time_refuses_anything_else(string json)
    {
        Assert.Equal("$ignore_time", Invalid(Record($$"""
            "$ignore_time":{{json}},"$set":{"a":1}
            """)).Field);
        Assert.Null(RecordReader.ParseLenientBoolean(JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [MemberData(nameof(RefusedBooleans))]
    public void Ignore_alias_refuses_anything_else(string json)
    {
        Assert.Equal("$ignore_alias", Invalid(Record($$"""
            "$ignore_alias":{{json}},"$set":{"a":1}
            """)).Field);
    }

    [Fact]
    public void Absent_flags_are_false()
    {
        var update = Valid(Record("\"$set\":{\"a\":1}"));
        Assert.False(update.IgnoreTime);
        Assert.False(update.IgnoreAlias);
    }

    // ---- $time ----------------------------------------------------------------------------

    public static TheoryData<string, string> Times => new()
    {
        { "1700000000", "2023-11-14T22:13:20.0000000+00:00" },
        { "\"1700000000\"", "2023-11-14T22:13:20.0000000+00:00" },
        { "1700000000123", "2023-11-14T22:13:20.1230000+00:00" },
        { "\"1700000000123\"", "2023-11-14T22:13:20.1230000+00:00" },
        { "1700000000.5", "2023-11-14T22:13:20.5000000+00:00" },
        { "\"1700000000.25\"", "2023-11-14T22:13:20.2500000+00:00" },
        { "1.7e9", "2023-11-14T22:13:20.0000000+00:00" },
        { "0", "1970-01-01T00:00:00.0000000+00:00" },
        // 1e11 itself is still seconds (year 5138); anything above it is milliseconds.
        { "100000000000", "5138-11-16T09:46:40.0000000+00:00" },
        { "100000000001", "1973-03-03T09:46:40.0010000+00:00" },
        { "99999999999", "5138-11-16T09:46:39.0000000+00:00" },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void Time_is_seconds_or_milliseconds_above_1e11(string json, string expected)
    {
        var update = Valid(Record($$"""
            "$time":{{json}},"$set":{"a":1}
            """));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), update.Time);
        Assert.Equal(TimeSpan.Zero, update.Time.Offset);
    }

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("\"\"")]
    [InlineData("\"2024-05-06T07:08:09Z\"")]
    [InlineData("true")]
    [InlineData("[1700000000]")]
    [InlineData("{}")]
    [InlineData("-1")]
    [InlineData("\"-5\"")]
    [InlineData("1e300")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    public void A_time_that_is_not_a_usable_epoch_number_is_invalid(string json)
    {
        Assert.Equal("$time", Invalid(Record($$"""
            "$time":{{json}},"$set":{"a":1}
            """)).Field);
    }

    [Fact]
    public void Without_time_the_update_time_is_when_the_server_received_it()
    {
        Assert.Equal(Received, Valid(Record("\"$set\":{\"a\":1}")).Time);
    }

    // ---- $ip ------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"1.2.3.4\"", "1.2.3.4")]
    [InlineData("\" 1.2.3.4 \"", "1.2.3.4")]
    [InlineData("\"2001:db8::1\"", "2001:db8::1")]
    public void Ip_is_taken_for_geolocation(string json, string expected)
    {
        var update = Valid(Record($$"""
            "$ip":{{json}},"$set":{"a":1}
            """));
        Assert.Equal(expected, update.Ip);
        Assert.False(update.IpDisabled);
    }

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("0")]
    [InlineData("\" 0 \"")]
    public void Ip_zero_disables_geolocation(string json)
    {
        var update = Valid(Record($$"""
            "$ip":{{json}},"$set":{"a":1}
            """));
        Assert.True(update.IpDisabled);
        Assert.Null(update.Ip);
    }

    [Fact]
    public void Without_ip_the_record_neither_names_nor_disables_one()
    {
        var update = Valid(Record("\"$set\":{\"a\":1}"));
        Assert.Null(update.Ip);
        Assert.False(update.IpDisabled);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1234")]
    [InlineData("true")]
    [InlineData("[\"1.2.3.4\"]")]
    [InlineData("{}")]
    public void An_ip_that_is_not_a_string_or_zero_is_invalid(string json)
    {
        Assert.Equal("$ip", Invalid(Record($$"""
            "$ip":{{json}},"$set":{"a":1}
            """)).Field);
    }

    // ---- $latitude / $longitude -------------------------------------------------------------

    [Theory]
    [InlineData("$latitude", "52.52")]
    [InlineData("$longitude", "-13.405")]
    [InlineData("$latitude", "0")]
    [InlineData("$longitude", "180")]
    public void Coordinates_may_be_numbers(string name, string json)
    {
        Assert.True(Read(Record($$"""
            "{{name}}":{{json}},"$set":{"a":1}
            """)).IsValid);
    }

    [Theory]
    [InlineData("$latitude", "\"52.52\"")]
    [InlineData("$longitude", "\"-13.405\"")]
    [InlineData("$latitude", "true")]
    [InlineData("$longitude", "[1]")]
    [InlineData("$latitude", "{}")]
    public void Coordinates_that_are_not_numbers_are_invalid(string name, string json)
    {
        Assert.Equal(name, Invalid(Record($$"""
            "{{name}}":{{json}},"$set":{"a":1}
            """)).Field);
    }

    // ---- unknown keys, operations -------------------------------------------------------------

    [Theory]
    [InlineData("\"$device_id\":\"d1\"")]
    [InlineData("\"$user_id\":\"u1\"")]
    [InlineData("\"$mp_metadata\":{\"x\":[1,2]}")]
    [InlineData("\"$had_persisted_distinct_id\":true")]
    [InlineData("\"$foo\":\"bar\"")]
    [InlineData("\"plain\":{\"set\":1}")]
    [InlineData("\"$SET\":{\"b\":2}")]
    [InlineData("\"$group_key\":\"company\"")]
    public void Unknown_top_level_keys_are_ignored(string extra)
    {
        var update = Valid(Record($$"""
            {{extra}},"$set":{"a":1}
            """));
        JsonEqual("""{"a":1}""", ToObject(update.Operations.Set));
        Assert.Null(update.Operations.SetOnce);
        Assert.Null(update.Operations.Add);
        Assert.Null(update.Operations.Union);
        Assert.Null(update.Operations.Append);
        Assert.Null(update.Operations.Remove);
        Assert.Null(update.Operations.Unset);
        Assert.False(update.Operations.Delete);
        Assert.Empty(update.Warnings);
    }

    [Theory]
    [InlineData("""{"$token":"tok","$distinct_id":"u1"}""")]
    [InlineData("""{"$token":"tok","$distinct_id":"u1","$time":1700000000,"$ip":"1.2.3.4","$ignore_time":true}""")]
    [InlineData("""{"$token":"tok","$distinct_id":"u1","$SET":{"a":1},"set":{"a":1},"$device_id":"d"}""")]
    public void A_record_needs_at_least_one_operation(string json)
    {
        Assert.Equal("", Invalid(json).Field);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"record\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("true")]
    public void A_record_must_be_an_object(string json)
    {
        Assert.Equal("", Invalid(json).Field);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"a\":1}")]
    public void Delete_takes_any_value(string json)
    {
        var update = Valid(Record($$"""
            "$delete":{{json}}
            """));
        Assert.True(update.Operations.Delete);
        Assert.False(update.Operations.CreatesProfile);
        Assert.False(update.Operations.SetsProperties);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":1}")]
    [InlineData("\"$set_once\":{\"a\":1}")]
    [InlineData("\"$add\":{\"a\":1}")]
    [InlineData("\"$union\":{\"a\":[1]}")]
    [InlineData("\"$append\":{\"a\":1}")]
    [InlineData("\"$remove\":{\"a\":1}")]
    [InlineData("\"$unset\":[\"a\"]")]
    public void Delete_cannot_be_combined_with_another_operation(string other)
    {
        Assert.Equal("$delete", Invalid(Record($$"""
            "$delete":"",{{other}}
            """)).Field);
        Assert.Equal("$delete", Invalid(Record($$"""
            {{other}},"$delete":null
            """)).Field);
    }

    [Fact]
    public void All_seven_operations_may_share_a_record()
    {
        var update = Valid(Record("""
            "$unset":["z"],"$remove":{"l":1},"$append":{"l":2},"$union":{"l":[3]},"$add":{"n":1},"$set_once":{"o":1},"$set":{"s":1}
            """));
        Assert.NotNull(update.Operations.Set);
        Assert.NotNull(update.Operations.SetOnce);
        Assert.NotNull(update.Operations.Add);
        Assert.NotNull(update.Operations.Union);
        Assert.NotNull(update.Operations.Append);
        Assert.NotNull(update.Operations.Remove);
        Assert.NotNull(update.Operations.Unset);
        Assert.False(update.Operations.Delete);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":1}", true, true)]
    [InlineData("\"$set_once\":{\"a\":1}", true, true)]
    [InlineData("\"$add\":{\"a\":1}", true, false)]
    [InlineData("\"$union\":{\"a\":[1]}", true, false)]
    [InlineData("\"$append\":{\"a\":1}", true, false)]
    [InlineData("\"$remove\":{\"a\":1}", false, false)]
    [InlineData("\"$unset\":[\"a\"]", false, false)]
    [InlineData("\"$delete\":\"\"", false, false)]
    public void Which_operations_create_a_profile_and_which_set_properties(string operation, bool creates, bool sets)
    {
        var update = Valid(Record(operation));
        Assert.Equal(creates, update.Operations.CreatesProfile);
        Assert.Equal(sets, update.Operations.SetsProperties);
    }

    // ---- operation value shapes ----------------------------------------------------------------

    [Fact]
    public void Operation_values_are_read_in_record_order()
    {
        var update = Valid(Record("""
            "$set":{"b":"x","a":[1,{"k":null}],"c":null,"d":true,"e":1.25},
            "$add":{"n":2,"m":"-3.5","k":" 7 "},
            "$union":{"u":[1,2],"s":"one"},
            "$append":{"p":[1,2],"q":null},
            "$remove":{"r":{"x":1}},
            "$unset":["x","y"]
            """));
        Assert.Equal(["b", "a", "c", "d", "e"], update.Operations.Set!.Select(p => p.Key));
        JsonEqual("""{"b":"x","a":[1,{"k":null}],"c":null,"d":true,"e":1.25}""", ToObject(update.Operations.Set));
        Assert.Equal([new("n", 2m), new("m", -3.5m), new KeyValuePair<string, decimal>("k", 7m)], update.Operations.Add!);
        Assert.Equal(["u", "s"], update.Operations.Union!.Select(p => p.Key));
        JsonEqual("[1,2]", update.Operations.Union![0].Value);
        JsonEqual("[\"one\"]", update.Operations.Union![1].Value);
        JsonEqual("""{"p":[1,2],"q":null}""", ToObject(update.Operations.Append));
        JsonEqual("""{"r":{"x":1}}""", ToObject(update.Operations.Remove));
        Assert.Equal(["x", "y"], update.Operations.Unset!);
    }

    public static TheoryData<string, string> WrongShapes => new()
    {
        { "\"$set\":[\"a\"]", "$set" },
        { "\"$set\":\"a\"", "$set" },
        { "\"$set\":1", "$set" },
        { "\"$set\":null", "$set" },
        { "\"$set\":true", "$set" },
        { "\"$set_once\":[1]", "$set_once" },
        { "\"$set_once\":\"a\"", "$set_once" },
        { "\"$set_once\":null", "$set_once" },
        { "\"$add\":[1]", "$add" },
        { "\"$add\":5", "$add" },
        { "\"$add\":null", "$add" },
        { "\"$add\":{\"credits\":\"lots\"}", "$add.credits" },
        { "\"$add\":{\"credits\":\"\"}", "$add.credits" },
        { "\"$add\":{\"credits\":\"1,000\"}", "$add.credits" },
        { "\"$add\":{\"credits\":\"0x10\"}", "$add.credits" },
        { "\"$add\":{\"credits\":\"NaN\"}", "$add.credits" },
        { "\"$add\":{\"credits\":true}", "$add.credits" },
        { "\"$add\":{\"credits\":null}", "$add.credits" },
        { "\"$add\":{\"credits\":[1]}", "$add.credits" },
        { "\"$add\":{\"credits\":{\"v\":1}}", "$add.credits" },
        { "\"$add\":{\"credits\":1e300}", "$add.credits" },
        { "\"$add\":{\"ok\":1,\"credits\":\"x\"}", "$add.credits" },
        { "\"$union\":[1]", "$union" },
        { "\"$union\":\"a\"", "$union" },
        { "\"$union\":null", "$union" },
        { "\"$append\":[1]", "$append" },
        { "\"$append\":1", "$append" },
        { "\"$append\":null", "$append" },
        { "\"$remove\":[1]", "$remove" },
        { "\"$remove\":\"a\"", "$remove" },
        { "\"$remove\":null", "$remove" },
        { "\"$unset\":{\"a\":1}", "$unset" },
        { "\"$unset\":1", "$unset" },
        { "\"$unset\":null", "$unset" },
        { "\"$unset\":true", "$unset" },
        { "\"$unset\":[\"a\",1]", "$unset" },
        { "\"$unset\":[[\"a\"]]", "$unset" },
        { "\"$unset\":[null]", "$unset" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void A_wrong_value_shape_makes_the_record_invalid(string operation, string field)
    {
        Assert.Equal(field, Invalid(Record(operation)).Field);
    }

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void A_wrong_shape_invalidates_the_whole_record_even_beside_valid_operations(string operation, string field)
    {
        var json = operation.StartsWith("\"$set\"", StringComparison.Ordinal)
            ? Record($"{operation},\"$set_once\":{{\"fine\":1}}")
            : Record($"\"$set\":{{\"fine\":1}},{operation}");
        Assert.Equal(field, Invalid(json).Field);
    }

    [Theory]
    [InlineData("\"$set\":{}")]
    [InlineData("\"$set_once\":{}")]
    [InlineData("\"$add\":{}")]
    [InlineData("\"$union\":{}")]
    [InlineData("\"$append\":{}")]
    [InlineData("\"$remove\":{}")]
    [InlineData("\"$unset\":[]")]
    public void Empty_operations_are_valid(string operation)
    {
        Assert.True(Read(Record(operation)).IsValid);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("-1", -1)]
    [InlineData("0", 0)]
    [InlineData("2.5", 2.5)]
    [InlineData("\"2.5\"", 2.5)]
    [InlineData("\"-7\"", -7)]
    [InlineData("\" 12 \"", 12)]
    [InlineData("\"1e3\"", 1000)]
    [InlineData("1e3", 1000)]
    [InlineData("0.1", 0.1)]
    public void Add_accepts_numbers_and_numeric_strings(string json, double expected)
    {
        var update = Valid(Record($$"""
            "$add":{"n":{{json}}}
            """));
        Assert.Equal((decimal)expected, Assert.Single(update.Operations.Add!).Value);
    }

    [Fact]
    public void Add_keeps_every_digit_of_a_64_bit_integer()
    {
        var update = Valid(Record("""
            "$add":{"max":9223372036854775807,"min":-9223372036854775808,"odd":9007199254740993,"text":"9223372036854775807"}
            """));
        Assert.Equal([long.MaxValue, long.MinValue, 9007199254740993m, long.MaxValue], update.Operations.Add!.Select(p => p.Value));
    }

    [Theory]
    [InlineData("\"$union\":{\"u\":\"one\"}", "[\"one\"]")]
    [InlineData("\"$union\":{\"u\":1}", "[1]")]
    [InlineData("\"$union\":{\"u\":null}", "[null]")]
    [InlineData("\"$union\":{\"u\":{\"k\":1}}", "[{\"k\":1}]")]
    [InlineData("\"$union\":{\"u\":[]}", "[]")]
    [InlineData("\"$union\":{\"u\":[[1,2]]}", "[[1,2]]")]
    public void Union_treats_a_scalar_as_a_one_element_list(string operation, string expected)
    {
        JsonEqual(expected, Assert.Single(Valid(Record(operation)).Operations.Union!).Value);
    }

    [Fact]
    public void Unset_accepts_a_single_name()
    {
        Assert.Equal(["a"], Valid(Record("\"$unset\":\"a\"")).Operations.Unset!);
    }

    // ---- group records ----------------------------------------------------------------------

    [Fact]
    public void A_group_record_addresses_a_group_key_and_id()
    {
        var update = Valid("""{"$token":"tok","$group_key":"company","$group_id":"acme","$set":{"plan":"pro"}}""", ProfileKind.Group);
        Assert.Equal("company", update.GroupKey);
        Assert.Equal("acme", update.DistinctId);
        Assert.Equal(new ProfileKey("p", "company", "acme"), update.ToUpdate("p").Key);
        Assert.True(update.ToUpdate("p").Key.IsGroup);
    }

    [Fact]
    public void A_numeric_group_id_becomes_its_decimal_string()
    {
        Assert.Equal("42", Valid("""{"$token":"tok","$group_key":"company","$group_id":42,"$set":{"a":1}}""", ProfileKind.Group).DistinctId);
    }

    [Theory]
    [InlineData("""{"$token":"tok","$group_id":"acme","$set":{"a":1}}""", "$group_key")]
    [InlineData("""{"$token":"tok","$group_key":"","$group_id":"acme","$set":{"a":1}}""", "$group_key")]
    [InlineData("""{"$token":"tok","$group_key":"  ","$group_id":"acme","$set":{"a":1}}""", "$group_key")]
    [InlineData("""{"$token":"tok","$group_key":5,"$group_id":"acme","$set":{"a":1}}""", "$group_key")]
    [InlineData("""{"$token":"tok","$group_key":null,"$group_id":"acme","$set":{"a":1}}""", "$group_key")]
    [InlineData("""{"$token":"tok","$group_key":"company","$set":{"a":1}}""", "$group_id")]
    [InlineData("""{"$token":"tok","$group_key":"company","$distinct_id":"acme","$set":{"a":1}}""", "$group_id")]
    [InlineData("""{"$token":"tok","$group_key":"company","$group_id":"","$set":{"a":1}}""", "$group_id")]
    [InlineData("""{"$token":"tok","$group_key":"company","$group_id":" ","$set":{"a":1}}""", "$group_id")]
    [InlineData("""{"$token":"tok","$group_key":"company","$group_id":true,"$set":{"a":1}}""", "$group_id")]
    [InlineData("""{"$group_key":"company","$group_id":"acme","$set":{"a":1}}""", "$token")]
    [InlineData("""{"$token":"tok","$group_key":"company","$group_id":"acme"}""", "")]
    public void A_group_record_needs_its_key_id_token_and_an_operation(string json, string field)
    {
        Assert.Equal(field, Invalid(json, ProfileKind.Group).Field);
    }

    [Fact]
    public void A_group_id_longer_than_255_characters_is_invalid()
    {
        var id = new string('g', 256);
        Assert.Equal("$group_id", Invalid($$$"""{"$token":"tok","$group_key":"company","$group_id":"{{{id}}}","$set":{"a":1}}""", ProfileKind.Group).Field);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":1}")]
    [InlineData("\"$set_once\":{\"a\":1}")]
    [InlineData("\"$unset\":[\"a\"]")]
    [InlineData("\"$remove\":{\"a\":1}")]
    [InlineData("\"$union\":{\"a\":[1]}")]
    [InlineData("\"$delete\":\"\"")]
    public void Group_records_accept_six_operations(string operation)
    {
        Assert.True(Read("""{"$token":"tok","$group_key":"company","$group_id":"acme",""" + operation + "}", ProfileKind.Group).IsValid);
    }

    [Theory]
    [InlineData("\"$add\":{\"a\":1}", "$add")]
    [InlineData("\"$append\":{\"a\":1}", "$append")]
    public void Group_records_refuse_add_and_append(string operation, string field)
    {
        Assert.Equal(field, Invalid("""{"$token":"tok","$group_key":"company","$group_id":"acme",""" + operation + "}", ProfileKind.Group).Field);
        Assert.Equal(field, Invalid("""{"$token":"tok","$group_key":"company","$group_id":"acme","$set":{"b":1},""" + operation + "}", ProfileKind.Group).Field);
    }

    [Fact]
    public void A_user_record_ignores_group_fields_and_needs_a_distinct_id()
    {
        Assert.Equal("$distinct_id", Invalid("""{"$token":"tok","$group_key":"company","$group_id":"acme","$set":{"a":1}}""").Field);
        var update = Valid("""{"$token":"tok","$distinct_id":"u1","$group_key":"company","$group_id":"acme","$add":{"a":1}}""");
        Assert.Equal("", update.GroupKey);
        Assert.Equal("u1", update.DistinctId);
    }

    [Fact]
    public void A_group_record_takes_the_same_modifiers()
    {
        var update = Valid("""{"$token":"tok","$group_key":"company","$group_id":"acme","$time":1700000000,"$ip":"0","$ignore_time":"1","$set":{"a":1}}""", ProfileKind.Group);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), update.Time);
        Assert.True(update.IpDisabled);
        Assert.True(update.IgnoreTime);
    }

    [Fact]
    public void A_user_key_is_not_a_group_key()
    {
        var key = Valid(Record("\"$set\":{\"a\":1}")).ToUpdate("p").Key;
        Assert.Equal(ProfileKey.User("p", "u1"), key);
        Assert.False(key.IsGroup);
    }

    internal static System.Text.Json.Nodes.JsonObject ToObject(IReadOnlyList<KeyValuePair<string, System.Text.Json.Nodes.JsonNode?>>? pairs)
    {
        var result = new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, value) in pairs ?? [])
        {
            result[name] = value?.DeepClone();
        }

        return result;
    }
}
