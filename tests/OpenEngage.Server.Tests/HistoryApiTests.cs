using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Profiles;
using OpenEngage.Storage;
using OpenEngage.Web;

namespace OpenEngage.Server.Tests;

/// <summary>Property history through the real server: <c>GET /api/query/history</c>, late records, sources, GDPR removal.</summary>
public sealed class HistoryApiTests : IAsyncLifetime
{
    // 2024-05-01T12:00:00Z and the minutes after it.
    private const long T0 = 1_714_564_800;

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task History_answers_who_set_what_and_when_newest_first()
    {
        await Post("u1", 1, """ "$set":{"plan":"free"} """);
        await Post("u1", 5, """ "$set":{"plan":"pro"} """);

        // A late offline record from minute 3: it cannot undo the newer "pro".
        await Post("u1", 3, """ "$set":{"plan":"trial"} """);

        var profile = await _server.ProfileAsync("u1");
        Assert.Equal("pro", (string?)profile!["plan"]);

        var (status, body) = await HistoryAsync("distinct_id=u1&property=plan");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", (string?)body["status"]);
        var results = body["results"]!.AsArray();
        Assert.Equal(3, (int)body["total"]!);
        Assert.Equal(["pro", "trial", "free"], results.Select(r => (string?)r!["new"]));
        Assert.Equal(["trial", "free", null], results.Select(r => (string?)r!["old"]));
        Assert.Equal(["2024-05-01T12:05:00.000Z", "2024-05-01T12:03:00.000Z", "2024-05-01T12:01:00.000Z"], results.Select(r => (string?)r!["time"]));
        Assert.All(results, r => Assert.Equal("engage", (string?)r!["source"]));
        Assert.All(results, r => Assert.Equal("token", (string?)r!["credential"]));
        Assert.All(results, r => Assert.True(DateTimeOffset.Parse((string)r!["received"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.FromUnixTimeSeconds(T0)));
    }

    [Fact]
    public async Task History_pages_and_filters_by_time()
    {
        for (var minute = 0; minute < 5; minute++)
        {
            await Post("u2", minute, $$""" "$set":{"n":{{minute}}} """);
        }

        var (_, page1) = await HistoryAsync("distinct_id=u2&property=n&page_size=2&page=1");
        Assert.Equal(5, (int)page1["total"]!);
        Assert.Equal([2, 1], page1["results"]!.AsArray().Select(r => (int)r!["new"]!));

        var (_, ranged) = await HistoryAsync($"distinct_id=u2&property=n&from={T0 + 60}&to=2024-05-01T12:03:00Z");
        Assert.Equal([3, 2, 1], ranged["results"]!.AsArray().Select(r => (int)r!["new"]!));

        // Without a property filter every changed property is listed, $last_seen and $created included.
        var (_, all) = await HistoryAsync("distinct_id=u2&page_size=1000");
        Assert.Contains(all["results"]!.AsArray(), r => (string?)r!["property"] == "$created");
    }

    [Fact]
    public async Task Groups_are_read_with_data_group_id_and_ui_edits_say_so()
    {
        var group = $$$"""{"$token":"{{{RunningServer.Token}}}","$group_key":"company","$group_id":"acme","$time":{{{T0}}},"$set":{"size":5}}""";
        Assert.Equal(200, (await _server.PostJsonAsync(group, "/groups")).Status);
        await _server.Services.GetRequiredService<ProfileWriter>().SetAsync(new ProfileTarget(RunningServer.Token, "company"), ["acme"], "size", 6, CancellationToken.None);

        var (status, body) = await HistoryAsync("distinct_id=acme&data_group_id=company&property=size");
        Assert.Equal(HttpStatusCode.OK, status);
        var results = body["results"]!.AsArray();
        Assert.Equal([6, 5], results.Select(r => (int)r!["new"]!));
        Assert.Equal(["ui", "groups"], results.Select(r => (string?)r!["source"]));

        var (_, user) = await HistoryAsync("distinct_id=acme");
        Assert.Equal(0, (int)user["total"]!);
    }

    [Fact]
    public async Task A_gdpr_removal_leaves_no_history()
    {
        await Post("gone", 1, """ "$set":{"email":"a@example.com"} """);
        var project = (await HistoryAsync("distinct_id=gone")).Body;
        Assert.NotEqual(0, (int)project["total"]!);

        await _server.Services.GetRequiredService<IProfileHistory>().RemoveHistoryAsync([ProfileKey.User("test", "gone")]);

        var (_, after) = await HistoryAsync("distinct_id=gone");
        Assert.Equal(0, (int)after["total"]!);
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest, "distinct_id is required")]
    [InlineData("distinct_id=u1&from=yesterday", HttpStatusCode.BadRequest, "from must be")]
    [InlineData("distinct_id=u1&page_size=0", HttpStatusCode.BadRequest, "page_size")]
    [InlineData("distinct_id=u1&from=20&to=10", HttpStatusCode.BadRequest, "from is after to")]
    public async Task Bad_parameters_are_400_with_a_message(string parameters, HttpStatusCode expected, string fragment)
    {
        var (status, body) = await HistoryAsync(parameters);
        Assert.Equal(expected, status);
        Assert.Contains(fragment, (string)body["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_needs_query_credentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/history?distinct_id=u1");
        var (status, _) = await _server.SendAsync(request);
        Assert.Equal(401, status);
    }

    [Fact]
    public async Task With_history_off_the_endpoint_says_so()
    {
        await using var server = await RunningServer.StartAsync("History:RetentionDays=0");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/history?distinct_id=u1");
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        var (status, body) = await server.SendAsync(request);
        Assert.Equal(404, status);
        Assert.Contains("History:RetentionDays is 0", body, StringComparison.Ordinal);
    }

    private async Task Post(string id, int minute, string operations)
    {
        var record = $$"""{"$token":"{{RunningServer.Token}}","$distinct_id":"{{id}}","$time":{{T0 + minute * 60}},{{operations}}}""";
        var (status, body, _) = await _server.PostJsonAsync(record);
        Assert.True(status == 200 && body.Trim() == "1", body);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> HistoryAsync(string parameters)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/history?" + parameters);
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        using var response = await _server.Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
