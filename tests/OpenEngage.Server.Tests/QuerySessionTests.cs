using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, item 9: paging sessions belong to a project (another project's same <c>session_id</c>
/// does not replace them) and all sessions together hold at most <c>Query:MaxSessionBytes</c>,
/// the oldest dropped first.
/// </summary>
public sealed class QuerySessionTests
{
    private static readonly string Sort = "&sort_order=ascending&sort_key=" + Uri.EscapeDataString("properties[\"n\"]");

    private static async Task<JsonNode> GetAsync(RunningServer server, string query, string secret = RunningServer.Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?" + query);
        request.Headers.Authorization = RunningServer.Basic(secret, "");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task SetAsync(RunningServer server, string token, string id, int n)
    {
        var (status, _, _) = await server.PostJsonAsync($$$"""{"$token":"{{{token}}}","$distinct_id":"{{{id}}}","$set":{"n":{{{n}}}}}""");
        Assert.Equal(200, status);
    }

    private static async Task<RunningServer> StartWithProfilesAsync(params string[] settings)
    {
        var server = await RunningServer.StartAsync(settings);
        for (var i = 0; i < 3; i++)
        {
            await SetAsync(server, RunningServer.Token, $"a{i}", i);
            await SetAsync(server, RunningServer.OtherToken, $"b{i}", i);
        }

        return server;
    }

    [Fact]
    public async Task Another_projects_session_with_the_same_id_leaves_a_session_alone()
    {
        await using var server = await StartWithProfilesAsync();
        var first = await GetAsync(server, "page_size=1&session_id=shared" + Sort);
        Assert.Equal(3, (int)first["total"]!);

        // A profile that sorts first arrives; the other project pages with the same session id.
        await SetAsync(server, RunningServer.Token, "a-new", -1);
        await GetAsync(server, "page_size=1&session_id=shared" + Sort, RunningServer.OtherSecret);

        var second = await GetAsync(server, "page=1&page_size=1&session_id=shared" + Sort);
        Assert.Equal(3, (int)second["total"]!);
        Assert.Equal("a1", (string)second["results"]![0]!["$distinct_id"]!);
    }

    [Fact]
    public async Task Sessions_are_bounded_in_bytes_and_the_oldest_goes_first()
    {
        await using var server = await StartWithProfilesAsync("Query:MaxSessionBytes=100000");
        var first = await GetAsync(server, "page_size=1&session_id=old" + Sort);
        Assert.Equal(3, (int)first["total"]!);
        await SetAsync(server, RunningServer.Token, "a-new", -1);

        // Two sessions whose where text is 30,000 characters (60 KB as .NET strings) do not fit beside it.
        foreach (var session in new[] { "big1", "big2" })
        {
            var where = Uri.EscapeDataString($"properties[\"pad\"] != \"{new string('x', 30_000)}\"");
            var big = await GetAsync(server, $"page_size=1&session_id={session}&where={where}" + Sort);
            Assert.Equal(4, (int)big["total"]!);
        }

        // The oldest session was dropped: its next page is a new snapshot, which sees a-new.
        var second = await GetAsync(server, "page=1&page_size=1&session_id=old" + Sort);
        Assert.Equal(4, (int)second["total"]!);
        Assert.Equal("a0", (string)second["results"]![0]!["$distinct_id"]!);
    }
}
