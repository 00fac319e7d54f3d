using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §2–§4 end to end: records through HTTP into the store and back through the lookup API.</summary>
public sealed class ProfileUpdateTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Status, string Body, HttpResponseMessage Response)> Send(params string[] records) =>
        _server.PostJsonAsync("[" + string.Join(",", records) + "]", "/engage?strict=1");

    private static string R(string id, string operations) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":{{{id}}},{{{operations}}}}""";

    [Fact]
    public async Task Every_operation_in_one_record_applies_in_the_fixed_order()
    {
        await Send(R("\"m1\"", """ "$set":{"list":["a"],"gone":1,"n":1} """));
        var (status, body, _) = await Send(R("\"m1\"", """
            "$unset":["gone"], "$remove":{"list":"a"}, "$append":{"list":"c"}, "$union":{"list":["b","a"]},
            "$add":{"n":2}, "$set_once":{"n":100,"first":"x"}, "$set":{"list":["z"]}
            """));
        Assert.Equal(200, status);
        Assert.Contains("\"num_records_imported\":1", body, StringComparison.Ordinal);
        var profile = (await _server.ProfileAsync("m1"))!;
        // $set list=[z]; $set_once first=x; $add n=3; $union → [z,b,a]; $append → [z,b,a,c]; $remove a → [z,b,c]; $unset gone.
        Assert.Equal("""["z","b","c"]""", profile["list"]!.ToJsonString());
        Assert.Equal(3, (int)profile["n"]!);
        Assert.Equal("x", (string)profile["first"]!);
        Assert.False(profile.ContainsKey("gone"));
    }

    [Fact]
    public async Task Batch_order_is_kept_and_invalid_records_change_nothing()
    {
        var (status, body, _) = await Send(
            R("\"b1\"", """ "$set":{"v":1} """),
            R("\"b1\"", """ "$add":{"v":"not a number"}, "$set":{"w":1} """),
            R("\"b1\"", """ "$add":{"v":10} """),
            R("\"b1\"", """ "$delete":"", "$set":{"x":1} """),
            R("\"b1\"", """ "$unset":"v" """),
            R("\"b1\"", """ "$set":{"v":"final"} """));
        Assert.Equal(400, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(4, (int)json["num_records_imported"]!);
        Assert.Equal([1, 3], json["failed_records"]!.AsArray().Select(f => (int)f!["index"]!));
        var profile = (await _server.ProfileAsync("b1"))!;
        Assert.Equal("final", (string)profile["v"]!);
        Assert.False(profile.ContainsKey("w"));
        Assert.False(profile.ContainsKey("x"));
    }

    [Fact]
    public async Task Numeric_distinct_ids_become_decimal_strings()
    {
        await Send(R("12345", """ "$set":{"a":1} """));
        Assert.NotNull(await _server.ProfileAsync("12345"));
    }

    [Fact]
    public async Task Type_conflicts_leave_stored_values_and_warn()
    {
        await Send(R("\"c1\"", """ "$set":{"name":"Ann","tags":"not a list"} """));
        var (status, body, _) = await Send(R("\"c1\"", """ "$add":{"name":1,"visits":1}, "$union":{"tags":["x"]}, "$append":{"tags":"y"}, "$remove":{"tags":"z"} """));
        Assert.Equal(200, status);
        var warnings = JsonNode.Parse(body)!["warnings"]!.AsArray().Select(w => (string)w!["field"]!).ToList();
        Assert.Equal(["$add.name", "$union.tags", "$append.tags", "$remove.tags"], warnings);
        var profile = (await _server.ProfileAsync("c1"))!;
        Assert.Equal("Ann", (string)profile["name"]!);
        Assert.Equal("not a list", (string)profile["tags"]!);
        Assert.Equal(1, (int)profile["visits"]!);
    }

    [Fact]
    public async Task Add_is_exact()
    {
        await Send(R("\"n1\"", """ "$add":{"big":9223372036854775806,"f":0.1} """));
        await Send(R("\"n1\"", """ "$add":{"big":1,"f":"0.2"} """));
        var profile = (await _server.ProfileAsync("n1"))!;
        Assert.Equal("9223372036854775807", profile["big"]!.ToJsonString());
        Assert.Equal("0.3", profile["f"]!.ToJsonString());
    }

    [Fact]
    public async Task Created_and_last_seen_follow_time_in_seconds_or_milliseconds()
    {
        await Send(R("\"t1\"", """ "$set":{"a":1}, "$time":1700000000 """));
        await Send(R("\"t1\"", """ "$set":{"a":2}, "$time":1700003600000 """));
        await Send(R("\"t1\"", """ "$set":{"a":3}, "$time":"1800000000", "$ignore_time":"true" """));
        var profile = (await _server.ProfileAsync("t1"))!;
        Assert.Equal("2023-11-14T22:13:20", (string)profile["$created"]!);
        Assert.Equal("2023-11-14T23:13:20", (string)profile["$last_seen"]!);
        Assert.Equal(3, (int)profile["a"]!);
    }

    [Fact]
    public async Task Without_time_the_receive_time_is_used()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await Send(R("\"t2\"", """ "$set":{"a":1} """));
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var created = DateTimeOffset.Parse((string)(await _server.ProfileAsync("t2"))!["$created"]! + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, before.AddSeconds(-1), after);
    }

    [Fact]
    public async Task Delete_removes_the_profile_and_unset_does_not_create_one()
    {
        await Send(R("\"d1\"", """ "$set":{"a":1} """));
        var (status, _, _) = await Send(R("\"d1\"", """ "$delete":null """), R("\"d2\"", """ "$unset":["a"] """), R("\"d3\"", """ "$remove":{"a":1} """));
        Assert.Equal(200, status);
        Assert.Null(await _server.ProfileAsync("d1"));
        Assert.Null(await _server.ProfileAsync("d2"));
        Assert.Null(await _server.ProfileAsync("d3"));
    }

    [Fact]
    public async Task Projects_are_isolated()
    {
        await Send(R("\"same\"", """ "$set":{"who":"test"} """));
        await _server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.OtherToken}}}","$distinct_id":"same","$set":{"who":"other"}}""");
        Assert.Equal("test", (string)(await _server.ProfileAsync("same"))!["who"]!);
        Assert.Equal("other", (string)(await _server.ProfileAsync("same", RunningServer.OtherSecret))!["who"]!);
    }

    [Fact]
    public async Task Group_profiles_are_stored_apart()
    {
        var (status, body, _) = await _server.PostJsonAsync(
            $$$"""[{"$token":"{{{RunningServer.Token}}}","$group_key":"company","$group_id":"acme","$set":{"size":10}},{"$token":"{{{RunningServer.Token}}}","$group_key":"company","$group_id":"acme","$add":{"size":1}}]""",
            "/groups?strict=1");
        Assert.Equal(400, status);
        Assert.Contains("not supported for group profiles", body, StringComparison.Ordinal);
        Assert.Equal(10, (int)(await _server.ProfileAsync("acme", groupKey: "company"))!["size"]!);
        Assert.Null(await _server.ProfileAsync("acme"));
    }
}
