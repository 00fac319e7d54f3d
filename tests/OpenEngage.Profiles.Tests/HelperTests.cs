using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>The small building blocks: UTF-8 truncation, JSON size, time format, decimal arithmetic.</summary>
public class HelperTests
{
    [Theory]
    [InlineData("", 0, "")]
    [InlineData("abc", 0, "")]
    [InlineData("abc", 2, "ab")]
    [InlineData("abc", 3, "abc")]
    [InlineData("abc", 100, "abc")]
    [InlineData("éé", 1, "")]
    [InlineData("éé", 3, "é")]
    [InlineData("éé", 4, "éé")]
    [InlineData("€€", 2, "")]
    [InlineData("€€", 5, "€")]
    [InlineData("€€", 6, "€€")]
    [InlineData("😀😀", 3, "")]
    [InlineData("😀😀", 4, "😀")]
    [InlineData("😀😀", 7, "😀")]
    [InlineData("😀😀", 8, "😀😀")]
    [InlineData("a😀", 4, "a")]
    [InlineData("aé€😀", 1, "a")]
    [InlineData("aé€😀", 2, "a")]
    [InlineData("aé€😀", 3, "aé")]
    [InlineData("aé€😀", 5, "aé")]
    [InlineData("aé€😀", 6, "aé€")]
    [InlineData("aé€😀", 9, "aé€")]
    [InlineData("aé€😀", 10, "aé€😀")]
    public void Utf8_truncation_keeps_whole_characters(string text, int budget, string expected)
    {
        Assert.Equal(expected, Utf8Truncation.Truncate(text, budget));
    }

    [Fact]
    public void A_lone_surrogate_counts_as_the_three_bytes_it_encodes_to()
    {
        Assert.Equal("\ud800", Utf8Truncation.Truncate("\ud800x", 3));
        Assert.Equal("", Utf8Truncation.Truncate("\udc00x", 2));
        Assert.Equal(3, Encoding.UTF8.GetByteCount("\ud800"));
    }

    [Fact]
    public void A_short_string_is_returned_as_is()
    {
        const string text = "unchanged";
        Assert.Same(text, Utf8Truncation.Truncate(text, 255));
    }

    [Theory]
    [InlineData("null", 4)]
    [InlineData("1", 1)]
    [InlineData("[1,2,3]", 7)]
    [InlineData("[\"ab\",true,null]", 16)]
    [InlineData("{\"a\":[1]}", 9)]
    [InlineData("[]", 2)]
    public void Json_size_counts_the_compact_utf8_bytes(string json, long expected)
    {
        Assert.Equal(expected, JsonSize.Utf8Bytes(JsonNode.Parse(json)));
    }

    [Fact]
    public void Json_size_handles_values_larger_than_its_scratch_buffer()
    {
        var big = new JsonArray(Enumerable.Range(0, 5000).Select(i => (JsonNode?)JsonValue.Create(new string('x', 20))).ToArray());
        Assert.Equal(big.ToJsonString().Length, JsonSize.Utf8Bytes(big));
        var huge = JsonValue.Create(new string('y', 100_000));
        Assert.Equal(100_002, JsonSize.Utf8Bytes(huge));
    }

    [Theory]
    [InlineData("2024-05-06T07:08:09.999+00:00", "2024-05-06T07:08:09")]
    [InlineData("2024-05-06T07:08:09+02:00", "2024-05-06T05:08:09")]
    [InlineData("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00")]
    [InlineData("1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00")]
    [InlineData("0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00")]
    public void Times_are_written_as_utc_seconds(string time, string expected)
    {
        Assert.Equal(expected, ProfileTime.Format(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("3.0", "3")]
    [InlineData("3.10", "3.1")]
    [InlineData("-0.0", "0")]
    [InlineData("0.3", "0.3")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("9223372036854775808", "9223372036854775808")]
    [InlineData("-9223372036854775809", "-9223372036854775809")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    public void Decimal_nodes_are_integers_when_whole_and_drop_trailing_zeros(string number, string expected)
    {
        var value = decimal.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
        JsonText(expected, NumberMath.ToNode(value));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("1.5", true)]
    [InlineData("-1e300", true)]
    [InlineData("\"1\"", false)]
    [InlineData("true", false)]
    [InlineData("null", false)]
    [InlineData("[1]", false)]
    [InlineData("{\"n\":1}", false)]
    public void Only_json_numbers_are_numbers(string json, bool expected)
    {
        Assert.Equal(expected, NumberMath.IsNumber(JsonNode.Parse(json)));
    }

    public static TheoryData<JsonNode, decimal, string> StoredNumbers => new()
    {
        { JsonValue.Create(5L), 1m, "6" },
        { JsonValue.Create(5), 1m, "6" },
        { JsonValue.Create(0.1m), 0.2m, "0.3" },
        { JsonValue.Create(long.MaxValue), 1m, "9223372036854775808" },
        { JsonNode.Parse("0.1")!, 0.2m, "0.3" },
        { JsonNode.Parse("-7")!, 7m, "0" },
        { JsonValue.Create(JsonDocument.Parse("2.5").RootElement.Clone())!, 0.5m, "3" },
        { JsonValue.Create(1L), decimal.MaxValue, "7.922816251426434E+28" },
        { JsonValue.Create(2.5d), 0.5m, "3" },
    };

    [Theory]
    [MemberData(nameof(StoredNumbers))]
    public void Adding_to_stored_numbers_of_every_representation(JsonNode stored, decimal delta, string expected)
    {
        var before = stored.ToJsonString();
        JsonText(expected, NumberMath.Add(stored, delta));
        Assert.Equal(before, stored.ToJsonString());
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("\"true\"", true)]
    [InlineData("\"1\"", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("\"false\"", false)]
    [InlineData("\"0\"", false)]
    public void Lenient_booleans(string json, bool expected)
    {
        Assert.Equal(expected, RecordReader.ParseLenientBoolean(JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("-12", "-12")]
    [InlineData("12.5", "12.5")]
    [InlineData("1.25e1", "12.5")]
    [InlineData("125e-1", "12.5")]
    [InlineData("1E-2", "0.01")]
    [InlineData("0.00", "0")]
    [InlineData("100.000", "100")]
    [InlineData("-0.5e0", "-0.5")]
    public void Number_to_id(string json, string expected)
    {
        Assert.Equal(expected, RecordReader.NumberToId(JsonDocument.Parse(json).RootElement));
    }

    [Fact]
    public void Number_to_id_stays_short_for_absurd_exponents()
    {
        var id = RecordReader.NumberToId(JsonDocument.Parse("1e999999999").RootElement);
        Assert.True(id.Length is > 255 and <= 1025);
        Assert.StartsWith("1000", id, StringComparison.Ordinal);
        var small = RecordReader.NumberToId(JsonDocument.Parse("-1e-999999999").RootElement);
        Assert.True(small.Length is > 255 and <= 1025);
        Assert.StartsWith("-0.000", small, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1700000000", 1700000000000L)]
    [InlineData("1700000000123", 1700000000123L)]
    [InlineData("\"1700000000\"", 1700000000000L)]
    [InlineData("1e11", 100000000000000L)]
    [InlineData("100000000000.5", 100000000000L)]
    public void Parse_time(string json, long expectedMilliseconds)
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedMilliseconds), RecordReader.ParseTime(JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("-0.5")]
    [InlineData("1e20")]
    [InlineData("[]")]
    public void Unusable_times_parse_to_null(string json)
    {
        Assert.Null(RecordReader.ParseTime(JsonDocument.Parse(json).RootElement));
    }

    [Fact]
    public void Geo_info_lists_only_known_parts()
    {
        Assert.Equal(
            [new("$city", "Berlin"), new("$region", "BE"), new("$country_code", "DE"), new KeyValuePair<string, string>("$timezone", "Europe/Berlin")],
            new GeoInfo("Berlin", "BE", "DE", "Europe/Berlin").Properties());
        Assert.Empty(new GeoInfo(null, null, null, null).Properties());
        Assert.Equal([new KeyValuePair<string, string>("$timezone", "UTC")], new GeoInfo(null, null, null, "UTC").Properties());
    }
}
