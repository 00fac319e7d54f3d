using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §11: GDPR / CCPA deletion and retrieval requests in Mixpanel's task shape.</summary>
public sealed class PrivacyRequestTests : IAsyncLifetime
{
    private const string Deletions = "/api/app/data-deletions/v3.0";
    private const string Retrievals = "/api/app/data-retrievals/v3.0";
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(IdentityHttpTests.Settings);
        var t = RunningServer.Token;
        await _server.PostJsonAsync($$$"""
            [{"$token":"{{{t}}}","$distinct_id":"$device:dev-v","$set":{"first_touch":"ads"}},
             {"$token":"{{{t}}}","$distinct_id":"victim","$set":{"email":"v@example.com","tags":["x"]}},
             {"$token":"{{{t}}}","$distinct_id":"bystander","$set":{"email":"b@example.com"}}]
            """);
        await _server.PostJsonAsync($$$"""{"event":"$identify","properties":{"token":"{{{t}}}","distinct_id":"victim","$anon_distinct_id":"$device:dev-v","$device_id":"dev-v","$user_id":"victim"}}""", "/track");
        // A profile under a member id itself ($ignore_alias): the deletion removes it too.
        await _server.PostJsonAsync($$$"""{"$token":"{{{t}}}","$distinct_id":"dev-v","$ignore_alias":true,"$set":{"stray":1}}""");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static AuthenticationHeaderValue Bearer => new("Bearer", RunningServer.Secret);

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? json, AuthenticationHeaderValue? auth)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = auth;
        using var response = await _server.Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task ARetrievalAnswersEveryStoredPropertyOfTheClusterAndADeletionLeavesNothingBehind()
    {
        var token = $"?token={RunningServer.Token}";
        var (status, created) = await SendAsync(HttpMethod.Post, Retrievals + token, """{"distinct_ids":["dev-v"],"compliance_type":"GDPR"}""", Bearer);
        Assert.Equal(HttpStatusCode.OK, status);
        var retrieval = (string)created["results"]!["task_id"]!;
        var (_, task) = await SendAsync(HttpMethod.Get, $"{Retrievals}/{retrieval}{token}", null, Bearer);
        Assert.Equal(("ok", "SUCCESS"), ((string?)task["status"], (string?)task["results"]!["status"]));
        var export = new Uri((string)task["results"]!["result"]!);
        var (exportStatus, exported) = await SendAsync(HttpMethod.Get, export.PathAndQuery, null, Bearer);
        Assert.Equal(HttpStatusCode.OK, exportStatus);
        var profiles = exported.AsArray().ToDictionary(p => (string)p!["$distinct_id"]!, p => p!["$properties"]!);
        Assert.Equal(["dev-v", "victim"], profiles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("v@example.com", "ads"), ((string?)profiles["victim"]["email"], (string?)profiles["victim"]["first_touch"]));

        (status, created) = await SendAsync(HttpMethod.Post, Deletions + token, """{"distinct_ids":["$device:dev-v"],"compliance_type":"CCPA"}""", RunningServer.Basic(IdentityHttpTests.OwnerUser, IdentityHttpTests.OwnerSecret));
        Assert.Equal(HttpStatusCode.OK, status);
        var deletion = (string)created["results"]!["task_id"]!;
        (_, task) = await SendAsync(HttpMethod.Get, $"{Deletions}/{deletion}{token}", null, Bearer);
        Assert.Equal("SUCCESS", (string?)task["results"]!["status"]);
        Assert.Equal(["$device:dev-v"], task["results"]!["distinct_ids"]!.AsArray().Select(id => (string?)id));

        Assert.Null(await _server.ProfileAsync("victim"));
        Assert.Null(await _server.ProfileAsync("dev-v"));
        Assert.Null(await _server.ProfileAsync("$device:dev-v"));
        Assert.NotNull(await _server.ProfileAsync("bystander"));
        var (_, cluster) = await SendAsync(HttpMethod.Get, "/api/query/identity?distinct_id=victim", null, RunningServer.Basic(RunningServer.Secret, ""));
        Assert.Empty(cluster["results"]!["members"]!.AsArray());

        // A finished task cannot be revoked; an unknown one is not found.
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Delete, $"{Deletions}/{deletion}{token}", null, Bearer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"{Deletions}/{retrieval}{token}", null, Bearer)).Status);
    }

    [Theory]
    [InlineData("""{"distinct_ids":["a"],"compliance_type":"HIPAA"}""", "compliance_type")]
    [InlineData("""{"distinct_ids":[],"compliance_type":"GDPR"}""", "non-empty")]
    [InlineData("""{"distinct_ids":"a","compliance_type":"GDPR"}""", "non-empty")]
    [InlineData("""[1]""", "JSON object")]
    [InlineData("""{"distinct_ids":[""", "must be JSON")]
    public async Task AMalformedRequestIsRefusedAndDeletesNothing(string json, string expected)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"{Deletions}?token={RunningServer.Token}", json, Bearer);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, (string?)body["error"], StringComparison.Ordinal);
        Assert.NotNull(await _server.ProfileAsync("victim"));
    }

    [Fact]
    public async Task MoreThanTwoThousandIdsAreRefused()
    {
        var ids = string.Join(",", Enumerable.Range(0, 2001).Select(i => $"\"id-{i}\""));
        var (status, body) = await SendAsync(HttpMethod.Post, $"{Deletions}?token={RunningServer.Token}", $$"""{"distinct_ids":[{{ids}}],"compliance_type":"GDPR"}""", Bearer);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("the limit is 2000", (string?)body["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyTheProjectsOwnerMayAsk()
    {
        const string json = """{"distinct_ids":["victim"],"compliance_type":"GDPR"}""";
        var path = $"{Deletions}?token={RunningServer.Token}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, path, json, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, path, json, new AuthenticationHeaderValue("Bearer", "wrong"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, path, json, RunningServer.Basic(IdentityHttpTests.ReaderUser, IdentityHttpTests.ReaderSecret))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, path, json, new AuthenticationHeaderValue("Bearer", RunningServer.OtherSecret))).Status);
        Assert.NotNull(await _server.ProfileAsync("victim"));
    }
}
