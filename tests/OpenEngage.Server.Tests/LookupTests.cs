using System.Net;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §9 (lookup part): the Engage Query API by id, with HTTP Basic auth.</summary>
public sealed class LookupTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        var records = string.Join(",", Enumerable.Range(0, 5).Select(i =>
            $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"p{{{i}}}","$set":{"i":{{{i}}},"name":"n{{{i}}}"}}"""));
        await _server.PostJsonAsync($"[{records}]");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode Body)> QueryAsync(string path, string? user = RunningServer.Secret, string password = "", HttpContent? form = null)
    {
        using var request = new HttpRequestMessage(form is null ? HttpMethod.Get : HttpMethod.Post, path) { Content = form };
        if (user is not null)
        {
            request.Headers.Authorization = RunningServer.Basic(user, password);
        }

        using var response = await _server.Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("wrong-secret", "")]
    [InlineData(RunningServer.Secret, "not-empty")]
    public async Task Missing_or_bad_credentials_are_401(string? user, string password)
    {
        var (status, body) = await QueryAsync("/api/query/engage?distinct_id=p1", user, password);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("error", (string)body["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["error"]));
    }

    [Theory]
    [InlineData("/api/query/engage")]
    [InlineData("/api/2.0/engage")]
    public async Task Lookup_by_distinct_id_has_mixpanels_shape(string path)
    {
        var (status, body) = await QueryAsync(path + "?distinct_id=p1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", (string)body["status"]!);
        Assert.Equal(0, (int)body["page"]!);
        Assert.Equal(1000, (int)body["page_size"]!);
        Assert.Equal(1, (int)body["total"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["session_id"]));
        var result = Assert.Single(body["results"]!.AsArray())!;
        Assert.Equal("p1", (string)result["$distinct_id"]!);
        Assert.Equal(1, (int)result["$properties"]!["i"]!);
        Assert.Equal("n1", (string)result["$properties"]!["name"]!);
    }

    [Fact]
    public async Task Lookup_by_distinct_ids_in_a_form_post()
    {
        using var form = new FormUrlEncodedContent([new("distinct_ids", """["p2","p4","missing"]"""), new("output_properties", """["name"]""")]);
        var (status, body) = await QueryAsync("/api/query/engage", form: form);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, (int)body["total"]!);
        var results = body["results"]!.AsArray();
        Assert.Equal(["p2", "p4"], results.Select(r => (string)r!["$distinct_id"]!));
        Assert.Equal("""{"name":"n2"}""", results[0]!["$properties"]!.ToJsonString());
    }

    [Fact]
    public async Task Listing_pages_through_every_profile()
    {
        var (_, first) = await QueryAsync("/api/query/engage?page_size=2");
        Assert.Equal(5, (int)first["total"]!);
        var sessionId = (string)first["session_id"]!;
        var seen = first["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!).ToList();
        for (var page = 1; page < 3; page++)
        {
            var (_, next) = await QueryAsync($"/api/query/engage?page_size=2&page={page}&session_id={sessionId}");
            Assert.Equal(sessionId, (string)next["session_id"]!);
            seen.AddRange(next["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!));
        }

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], seen);
    }

    [Theory]
    [InlineData("page_size=0")]
    [InlineData("page_size=1001")]
    [InlineData("page=-1")]
    [InlineData("distinct_ids=notjson")]
    public async Task Bad_parameters_are_400(string query)
    {
        var (status, body) = await QueryAsync("/api/query/engage?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", (string)body["status"]!);
    }
}
