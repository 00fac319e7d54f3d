using System.Net;
using System.Text;

namespace OpenEngage.Web.Tests;

/// <summary>
/// The pages change the profile they show: a profile stored under an id of a cluster (written with
/// <c>$ignore_alias</c>) is edited and deleted as itself, never redirected to the cluster's canonical profile.
/// </summary>
public sealed class WebIdentityTests : IAsyncLifetime
{
    private WebServer _server = null!;

    public async Task InitializeAsync() => _server = await WebServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DeletingTheProfileOfAClusterMemberLeavesTheCanonicalProfile()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro"}}]""");
        using (var client = _server.ApiClient())
        {
            using var track = new StringContent("""{"event":"Opened","properties":{"token":"web-token","$device_id":"d-1","$user_id":"u1"}}""", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/track?strict=1", track);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"d-1","$ignore_alias":true,"$set":{"duplicate":true}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var deleted = await session.PostAsync("/profile?distinct_id=d-1", "/profile?handler=Delete", ("distinct_id", "d-1"), ("confirm", "yes"));

        Assert.Equal(HttpStatusCode.Found, deleted.Status);
        Assert.Equal("pro", (string?)(await _server.ProfileAsync("u1"))?["plan"]);
        var (_, duplicates) = await _server.QueryAsync("where=" + Uri.EscapeDataString("defined(properties[\"duplicate\"])"));
        Assert.Equal(0, (int)duplicates["total"]!);
    }
}
