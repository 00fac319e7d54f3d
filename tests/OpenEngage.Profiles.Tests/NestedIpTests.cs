using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>
/// Contract §4: <c>"$ip"</c> inside <c>$set</c> / <c>$set_once</c> (Go's SetIp, <c>"$ip": 0</c> in the
/// Java and Go docs) is the record's IP when it has no top-level <c>$ip</c>, and is never stored.
/// </summary>
public class NestedIpTests
{
    [Theory]
    [InlineData("$set")]
    [InlineData("$set_once")]
    public void An_ip_inside_set_is_the_records_ip_and_not_a_property(string operation)
    {
        var update = Valid(Record($$""" "{{operation}}":{"a":1,"$ip":"203.0.113.9"} """));

        Assert.Equal("203.0.113.9", update.Ip);
        Assert.False(update.IpDisabled);
        var profile = Apply((System.Text.Json.Nodes.JsonObject?)null, update).Profile!;
        Assert.False(profile.ContainsKey("$ip"));
        Assert.DoesNotContain("203.0.113.9", profile.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1, (int)profile["a"]!);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("\"0\"")]
    [InlineData("\" 0 \"")]
    public void Zero_inside_set_turns_geolocation_off(string zero)
    {
        var update = Valid(Record($$""" "$set":{"$ip":{{zero}},"a":1} """));

        Assert.True(update.IpDisabled);
        Assert.Null(update.Ip);
        Assert.DoesNotContain(update.Operations.Set!, p => p.Key == "$ip");
    }

    [Fact]
    public void The_top_level_ip_wins_and_the_inner_one_is_still_not_stored()
    {
        var update = Valid(Record(""" "$ip":"198.51.100.1","$set":{"$ip":"0","a":1},"$set_once":{"$ip":"203.0.113.9"} """));

        Assert.Equal("198.51.100.1", update.Ip);
        Assert.False(update.IpDisabled);
        Assert.DoesNotContain(update.Operations.Set!, p => p.Key == "$ip");
        Assert.Empty(update.Operations.SetOnce!);
    }

    [Fact]
    public void A_top_level_null_ip_leaves_the_inner_one_in_charge()
    {
        var update = Valid(Record(""" "$ip":null,"$set":{"$ip":0} """));
        Assert.True(update.IpDisabled);
    }

    [Fact]
    public void Set_comes_before_set_once()
    {
        var update = Valid(Record(""" "$set_once":{"$ip":"203.0.113.9"},"$set":{"$ip":"198.51.100.1"} """));
        Assert.Equal("198.51.100.1", update.Ip);
    }

    [Fact]
    public void A_set_of_only_an_ip_still_creates_the_profile_without_it()
    {
        var profile = Upsert(null, """ "$set":{"$ip":"203.0.113.9"} """);
        JsonEqual("{}", UserProperties(profile));
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("true")]
    [InlineData("{}")]
    public void An_inner_ip_that_is_not_a_string_or_zero_is_invalid(string json)
    {
        Assert.Equal("$set.$ip", Invalid(Record($$""" "$set":{"$ip":{{json}}} """)).Field);
    }

    [Fact]
    public void Ip_elsewhere_is_an_ordinary_property()
    {
        var profile = Upsert(null, """ "$union":{"$ip":["x"]},"$append":{"log":{"$ip":"1.2.3.4"}} """);
        Assert.NotNull(profile["$ip"]);
        Assert.Equal("1.2.3.4", (string?)profile["log"]![0]!["$ip"]);
    }
}
