using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Compatibility.Tests;

/// <summary>
/// The official SDKs' identity calls (contract §8) end in the profiles Mixpanel would hold: the Node
/// SDK's <c>alias()</c>, and mixpanel-browser's <c>identify()</c>, people calls and <c>alias()</c> in
/// Chromium, on a project in each identity mode.
/// </summary>
public sealed class IdentitySdkTests
{
    private const string OriginalToken = "original-token", OriginalSecret = "original-secret";

    private static Task<RunningServer> StartAsync() => RunningServer.StartAsync(
        "Projects:1:Name=original", $"Projects:1:Token={OriginalToken}", $"Projects:1:ApiSecret={OriginalSecret}", "Projects:1:IdentityMode=original");

    private static async Task<JsonNode> ClusterAsync(RunningServer server, string distinctId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/identity?distinct_id={Uri.EscapeDataString(distinctId)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{secret}:")));
        using var response = await server.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["results"]!;
    }

    private static List<string?> Members(JsonNode cluster) => [.. cluster["members"]!.AsArray().Select(member => (string?)member!["distinct_id"])];

    [Fact]
    public async Task Node_alias_links_the_alias_so_its_people_calls_reach_the_original_profile()
    {
        await using var server = await StartAsync();

        var summary = await NodeScript.RunAsync(NodeScript.SdkDirectory("node"), "alias.js", TimeSpan.FromSeconds(60), server.Port.ToString(), OriginalToken, "node-user", "node-alias");

        Assert.All(summary["errors"]!.AsArray(), error => Assert.Null((string?)error));
        var profile = await server.RequiredProfileAsync("node-user", OriginalSecret);
        Assert.Equal(("pro", true), ((string?)profile["plan"], (bool?)profile["via_alias"]));
        Assert.Null(await ProfileUnderItsOwnIdAsync(server, "node-alias", OriginalSecret));
        var cluster = await ClusterAsync(server, "node-alias", OriginalSecret);
        Assert.Equal("node-user", (string?)cluster["canonical_id"]);
        Assert.Equal(["node-user", "node-alias"], Members(cluster));
    }

    [Fact]
    public async Task Browser_identify_and_alias_in_original_mode_end_in_one_profile_under_the_identified_id()
    {
        await using var server = await StartAsync();

        var summary = await RunBrowserAsync(server, OriginalToken, "browser-user", "browser-alias");

        var device = (string)summary["deviceId"]!;
        var profile = await server.RequiredProfileAsync("browser-user", OriginalSecret);
        Assert.Equal(("ads", "pro", true), ((string?)profile["first_touch"], (string?)profile["plan"], (bool?)profile["after_alias"]));
        Assert.Equal(["a", "b"], profile["tags"]!.AsArray().Select(tag => (string?)tag).Order(StringComparer.Ordinal));
        Assert.False(profile.ContainsKey("$device_id"));
        Assert.False(profile.ContainsKey("$user_id"));
        var cluster = await ClusterAsync(server, "browser-alias", OriginalSecret);
        Assert.Equal("browser-user", (string?)cluster["canonical_id"]);
        Assert.Equal(["browser-user", "$device:" + device, device, "browser-alias"], Members(cluster));
        // The alias and the device answer the canonical profile.
        Assert.Equal("pro", (string?)(await server.RequiredProfileAsync("browser-alias", OriginalSecret))["plan"]);
        Assert.Equal("pro", (string?)(await server.RequiredProfileAsync("$device:" + device, OriginalSecret))["plan"]);
    }

    [Fact]
    public async Task Browser_identify_in_simplified_mode_links_the_device_and_alias_changes_nothing()
    {
        await using var server = await StartAsync();

        var summary = await RunBrowserAsync(server, RunningServer.Token, "simple-user", "simple-alias");

        var device = (string)summary["deviceId"]!;
        var profile = await server.RequiredProfileAsync("simple-user");
        Assert.Equal(("ads", "pro", true), ((string?)profile["first_touch"], (string?)profile["plan"], (bool?)profile["after_alias"]));
        Assert.Equal(["a", "b"], profile["tags"]!.AsArray().Select(tag => (string?)tag).Order(StringComparer.Ordinal));
        var cluster = await ClusterAsync(server, device, RunningServer.Secret);
        Assert.Equal("simple-user", (string?)cluster["canonical_id"]);
        Assert.Equal(["simple-user", "$device:" + device, device], Members(cluster));
        // Simplified mode has no aliases: the alias joins no cluster and holds no profile (the SDK
        // keeps sending people calls under the identified id, with the alias only as $user_id).
        Assert.Empty((await ClusterAsync(server, "simple-alias", RunningServer.Secret))["members"]!.AsArray());
        Assert.Null(await server.ProfileAsync("simple-alias"));
    }

    private static async Task<JsonObject> RunBrowserAsync(RunningServer server, string token, string user, string alias)
    {
        var apiBase = server.Address.GetLeftPart(UriPartial.Authority);
        var summary = await NodeScript.RunAsync(NodeScript.SdkDirectory("browser"), "identity.js", TimeSpan.FromSeconds(90), apiBase, token, user, alias);
        Assert.True(summary["failures"]!.AsArray().Count == 0, $"failed requests: {summary["failures"]!.ToJsonString()}");
        var requests = summary["requests"]!.AsArray();
        Assert.Contains(requests, request => ((string)request!["url"]!).Contains("/track", StringComparison.Ordinal));
        foreach (var request in requests)
        {
            Assert.True((int)request!["status"]! == 200, $"{request["url"]}: HTTP {request["status"]}: {request["response"]}");
            Assert.Equal("1", (string?)request["response"]);
        }

        return summary;
    }

    /// <summary>The profile stored under exactly this id, not its cluster's: the Query API answers the canonical one, so ask the cluster API whether the id is a member.</summary>
    private static async Task<JsonObject?> ProfileUnderItsOwnIdAsync(RunningServer server, string distinctId, string secret)
    {
        var cluster = await ClusterAsync(server, distinctId, secret);
        var canonical = (string?)cluster["canonical_id"];
        return canonical == distinctId ? await server.ProfileAsync(distinctId, secret) : null;
    }
}
