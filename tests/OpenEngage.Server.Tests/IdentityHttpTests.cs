using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Contract §8 over HTTP: <c>/track</c> and <c>/import</c>, the link rules of both modes with their
/// per-record errors and warnings, <c>/engage</c> and the Query API resolving ids of a cluster,
/// <c>$ignore_alias</c>, and the cluster API (owner credentials only).
/// </summary>
public sealed class IdentityHttpTests : IAsyncLifetime
{
    internal const string Anon = "3f1c2b4a-8d7e-4f60-9a1b-2c3d4e5f6a7b";
    internal const string OwnerUser = "ops", OwnerSecret = "ops-secret", ReaderUser = "viewer", ReaderSecret = "viewer-secret";

    private RunningServer _server = null!;

    /// <summary>Project "test" (token <see cref="RunningServer.Token"/>) is simplified, "other" original.</summary>
    internal static string[] Settings =>
    [
        "Projects:1:IdentityMode=original",
        $"Projects:0:ServiceAccounts:0:Username={OwnerUser}", $"Projects:0:ServiceAccounts:0:Secret={OwnerSecret}",
        $"Projects:0:ServiceAccounts:1:Username={ReaderUser}", $"Projects:0:ServiceAccounts:1:Secret={ReaderSecret}", "Projects:0:ServiceAccounts:1:Role=reader",
    ];

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(Settings);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonObject> StrictAsync(string path, string json, AuthenticationHeaderValue? auth = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "strict=1")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = auth;
        using var response = await _server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private Task<JsonObject> EngageAsync(string json) => StrictAsync("/engage", json);

    private static string Identify(string token, string user, string anon) => $$$"""
        {"event":"$identify","properties":{"token":"{{{token}}}","distinct_id":"{{{user}}}","$anon_distinct_id":"$device:{{{anon}}}","$device_id":"{{{anon}}}","$user_id":"{{{user}}}","time":1735689600}}
        """;

    private async Task<JsonNode> GetAsync(string path, AuthenticationHeaderValue? auth, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = auth;
        using var response = await _server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    private static AuthenticationHeaderValue Owner => RunningServer.Basic(RunningServer.Secret, "");

    private static List<string?> Messages(JsonObject body, string list) => [.. body[list]!.AsArray().Select(item => (string?)item!["message"])];

    [Fact]
    public async Task BrowserIdentifyMergesTheDeviceProfileIntoTheUserAndEngageAndQueryFollowTheCluster()
    {
        var t = RunningServer.Token;
        await EngageAsync($$$"""
            [{"$token":"{{{t}}}","$distinct_id":"$device:{{{Anon}}}","$device_id":"{{{Anon}}}","$set":{"utm_source":"ads","plan":"trial"}},
            {"$token":"{{{t}}}","$distinct_id":"alice","$set":{"plan":"pro"},"$union":{"tags":["a"]}}]
            """);

        var tracked = await StrictAsync("/track", Identify(t, "alice", Anon));
        Assert.Equal(1, (int)tracked["num_records_imported"]!);
        Assert.Empty(tracked["failed_records"]!.AsArray());

        // People calls after identify carry the device id as $distinct_id in some SDKs: they reach alice.
        await EngageAsync($$$"""{"$token":"{{{t}}}","$distinct_id":"$device:{{{Anon}}}","$union":{"tags":["b"]}}""");
        // $ignore_alias: exactly that id's own profile.
        await EngageAsync($$$"""{"$token":"{{{t}}}","$distinct_id":"{{{Anon}}}","$ignore_alias":true,"$set":{"stray":true}}""");

        var alice = await _server.ProfileAsync("alice");
        Assert.NotNull(alice);
        Assert.Equal(("pro", "ads"), ((string?)alice["plan"], (string?)alice["utm_source"]));
        Assert.Equal(["a", "b"], alice["tags"]!.AsArray().Select(tag => (string?)tag));
        Assert.False(alice.ContainsKey("stray"));

        // The Query API answers the canonical profile for any id of the cluster.
        var byDevice = await GetAsync($"/api/query/engage?distinct_ids={Uri.EscapeDataString($"[\"$device:{Anon}\",\"alice\"]")}", Owner);
        var result = Assert.Single(byDevice["results"]!.AsArray())!;
        Assert.Equal("alice", (string?)result["$distinct_id"]);

        // The cluster API shows how the ids were linked.
        var cluster = await GetAsync($"/api/query/identity?distinct_id={Anon}", Owner);
        Assert.Equal("alice", (string?)cluster["results"]!["canonical_id"]);
        var members = cluster["results"]!["members"]!.AsArray();
        Assert.Equal(["alice", "$device:" + Anon, Anon], members.Select(member => (string?)member!["distinct_id"]));
        Assert.Equal(("$identify", "alice", "2025-01-01T00:00:00.000Z"), ((string?)members[1]!["how"], (string?)members[1]!["via"], (string?)members[1]!["linked_at"]));
    }

    [Fact]
    public async Task SimplifiedModeLinksAnyEventWithDeviceAndUserIdsOnceAndWarnsAboutASecondUser()
    {
        var t = RunningServer.Token;
        var body = await StrictAsync("/track", $$$"""
            [
            {"event":"Signed up","properties":{"token":"{{{t}}}","distinct_id":"bob","$device_id":"dev-b","$user_id":"bob"}},
            {"event":"Clicked","properties":{"token":"{{{t}}}","distinct_id":"carol","$device_id":"dev-b","$user_id":"carol"}},
            {"event":"$create_alias","properties":{"token":"{{{t}}}","distinct_id":"bob","alias":"carol"}},
            {"event":"Viewed","properties":{"token":"{{{t}}}","distinct_id":"bob"}}]
            """);

        Assert.Equal(4, (int)body["num_records_imported"]!);
        var warnings = body["warnings"]!.AsArray();
        Assert.Contains(warnings, w => (int)w!["index"]! == 1 && ((string?)w["message"])!.Contains("already linked to the user id \"bob\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => (int)w!["index"]! == 2 && ((string?)w["message"])!.Contains("changes nothing in simplified identity mode", StringComparison.Ordinal));
        Assert.Contains(warnings, w => (int)w!["index"]! == 3 && (string?)w["message"] == "events are not stored; only identity events change state here");
        Assert.DoesNotContain(warnings, w => (int)w!["index"]! == 0);
        var cluster = await GetAsync("/api/query/identity?distinct_id=carol", Owner);
        Assert.Empty(cluster["results"]!["members"]!.AsArray());
    }

    [Fact]
    public async Task OriginalModeRulesAnswerPerRecordErrorsAndWarnings()
    {
        var t = RunningServer.OtherToken;
        var body = await StrictAsync("/track", $$$"""
            [
            {"event":"$identify","properties":{"token":"{{{t}}}","$identified_id":"dana","$anon_id":"{{{Anon}}}"}},
            {"event":"$identify","properties":{"token":"{{{t}}}","$identified_id":"dana","$anon_id":"not-a-uuid"}},
            {"event":"$create_alias","properties":{"token":"{{{t}}}","distinct_id":"dana","alias":"dana@example.com"}},
            {"event":"$create_alias","properties":{"token":"{{{t}}}","distinct_id":"erin","alias":"dana@example.com"}},
            {"event":"$create_alias","properties":{"token":"{{{t}}}","distinct_id":"erin"}},
            {"event":"$identify","properties":{"token":"{{{t}}}","$identified_id":"frank","$anon_id":"{{{Anon}}}"}},
            {"properties":{"token":"{{{t}}}"}},
            {"event":"Viewed","properties":{"token":"no-such-token"}},
            {"event":"Viewed","properties":{}},
            {"event":"$merge","properties":{"token":"{{{t}}}","$distinct_ids":["dana","erin"]}}]
            """, expected: HttpStatusCode.BadRequest);

        Assert.Equal(5, (int)body["num_records_imported"]!);
        var failed = body["failed_records"]!.AsArray();
        Assert.Equal([3, 4, 6, 7, 8], failed.Select(f => (int)f!["index"]!));
        Assert.Contains("already linked to another cluster", (string?)failed[0]!["message"], StringComparison.Ordinal);
        Assert.Equal("properties.alias", (string?)failed[1]!["field"]);
        Assert.Equal("event", (string?)failed[2]!["field"]);
        Assert.Equal("unknown project token", (string?)failed[3]!["message"]);
        Assert.Equal("properties.token", (string?)failed[4]!["field"]);
        var warnings = Messages(body, "warnings");
        Assert.Contains(warnings, m => m!.Contains("not a UUIDv4", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m!.Contains("already merged into the identified id \"dana\"", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m!.Contains("only through /import", StringComparison.Ordinal));

        var cluster = await GetAsync("/api/query/identity?distinct_id=dana@example.com", RunningServer.Basic(RunningServer.OtherSecret, ""));
        Assert.Equal("dana", (string?)cluster["results"]!["canonical_id"]);
        Assert.Equal(["dana", "$device:" + Anon, Anon, "dana@example.com"], cluster["results"]!["members"]!.AsArray().Select(m => (string?)m!["distinct_id"]));
    }

    [Fact]
    public async Task TheFiveHundredAndFirstIdOfAClusterIsAnInvalidRecord()
    {
        var t = RunningServer.OtherToken;
        var aliases = string.Join(",", Enumerable.Range(1, 500).Select(i =>
            $$$"""{"event":"$create_alias","properties":{"token":"{{{t}}}","distinct_id":"big","alias":"big-{{{i}}}"}}"""));

        var body = await StrictAsync("/track", $"[{aliases}]", expected: HttpStatusCode.BadRequest);

        Assert.Equal(499, (int)body["num_records_imported"]!);
        var failure = Assert.Single(body["failed_records"]!.AsArray())!;
        Assert.Equal((499, "big"), ((int)failure["index"]!, (string?)failure["$distinct_id"]));
        Assert.Contains("at most 500", (string?)failure["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportNeedsOwnerCredentialsTakesGzipAndMerges()
    {
        var t = RunningServer.OtherToken;
        var merge = """{"event":"$merge","properties":{"$distinct_ids":["gina","hal"]}}""";
        var (status, _) = await SendGzipAsync("/import", merge, auth: null);
        Assert.Equal(401, status);
        await EngageAsync($$$"""[{"$token":"{{{t}}}","$distinct_id":"gina","$set":{"a":1}},{"$token":"{{{t}}}","$distinct_id":"hal","$set":{"a":2,"b":2}}]""");

        (status, var text) = await SendGzipAsync("/import?strict=1", merge, RunningServer.Basic(RunningServer.OtherSecret, ""));

        Assert.Equal(200, status);
        Assert.Equal(1, (int)JsonNode.Parse(text)!["num_records_imported"]!);
        var gina = await _server.ProfileAsync("hal", RunningServer.OtherSecret);
        Assert.Equal((1, 2), ((int?)gina!["a"], (int?)gina["b"]));
        var lookup = await GetAsync("/api/query/engage?distinct_id=hal", RunningServer.Basic(RunningServer.OtherSecret, ""));
        Assert.Equal("gina", (string?)lookup["results"]![0]!["$distinct_id"]);
    }

    [Fact]
    public async Task UnmergeSplitsAnIdOutForOwnersOnly()
    {
        var t = RunningServer.Token;
        await StrictAsync("/track", $$$"""{"event":"x","properties":{"token":"{{{t}}}","$device_id":"dev-u","$user_id":"ursula"}}""");

        await PostFormAsync("/api/identity/unmerge", "distinct_id=dev-u", RunningServer.Basic(ReaderUser, ReaderSecret), HttpStatusCode.Unauthorized);
        await PostFormAsync("/api/identity/unmerge", "distinct_id=dev-u", null, HttpStatusCode.Unauthorized);
        var conflict = await PostFormAsync("/api/identity/unmerge", "distinct_id=ursula", RunningServer.Basic(OwnerUser, OwnerSecret), HttpStatusCode.Conflict);
        Assert.Contains("canonical id", (string?)conflict["error"], StringComparison.Ordinal);
        await PostFormAsync("/api/identity/unmerge", "distinct_id=dev-u", RunningServer.Basic(OwnerUser, OwnerSecret));
        await PostFormAsync("/api/identity/unmerge", "distinct_id=nobody", Owner, HttpStatusCode.NotFound);
        await EngageAsync($$$"""{"$token":"{{{t}}}","$distinct_id":"dev-u","$set":{"own":true}}""");

        Assert.True((bool?)(await _server.ProfileAsync("dev-u"))!["own"]);
        Assert.Null(await _server.ProfileAsync("ursula"));
        await GetAsync("/api/query/identity?distinct_id=dev-u", RunningServer.Basic(ReaderUser, ReaderSecret), HttpStatusCode.Unauthorized);
        var members = (await GetAsync("/api/query/identity?distinct_id=ursula", Owner))["results"]!["members"]!.AsArray();
        Assert.Equal(["ursula", "$device:dev-u"], members.Select(m => (string?)m!["distinct_id"]));
    }

    private async Task<JsonObject> PostFormAsync(string path, string form, AuthenticationHeaderValue? auth, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = auth;
        using var response = await _server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<(int Status, string Body)> SendGzipAsync(string path, string json, AuthenticationHeaderValue? auth)
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(json));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(compressed.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = auth;
        return await _server.SendAsync(request);
    }
}
