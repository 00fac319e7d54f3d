using System.Text.Json.Nodes;

namespace OpenEngage.Compatibility.Tests;

/// <summary>
/// The official Mixpanel Node SDK (npm <c>mixpanel</c>, pinned in tests/sdk/node) pointed at the server with
/// <c>Mixpanel.init(token, {host: '127.0.0.1:PORT', protocol: 'http'})</c>. It sends every update as
/// <c>GET /engage?ip=0&amp;verbose=0|1&amp;data=&lt;base64&gt;</c> and judges the answer: exactly <c>1</c>, or with
/// verbose a JSON <c>status</c> of 1.
/// </summary>
public sealed class NodeSdkTests
{
    [Fact]
    public async Task Every_people_operation_succeeds_with_verbose_off_and_on_and_builds_the_profiles()
    {
        await using var server = await RunningServer.StartAsync();
        var summary = await NodeScript.RunAsync(
            NodeScript.SdkDirectory("node"), "people.js", TimeSpan.FromSeconds(60), server.Port.ToString(), RunningServer.Token, "node");

        var calls = summary["calls"]!.AsArray().Select(call => call!.AsObject()).ToList();
        Assert.Equal(2 * 23, calls.Count);
        foreach (var call in calls)
        {
            var label = (string)call["label"]!;
            var error = (string?)call["error"];
            if ((bool)call["expectFailure"]!)
            {
                // The refusal reaches the SDK's callback: "0", or the verbose error.
                Assert.True(error is not null, $"{label}: the callback saw success for an unknown token");
            }
            else
            {
                Assert.True(error is null, $"{label}: the callback saw {error}");
            }
        }

        Assert.Contains(calls, call => (bool)call["verbose"]! && ((string?)call["error"] ?? "").Contains("unknown project token", StringComparison.Ordinal));

        foreach (var mode in new[] { "quiet", "verbose" })
        {
            var ids = summary["profiles"]![mode]!;
            var profile = await server.RequiredProfileAsync((string)ids["id"]!);
            Assert.Equal("Ada Lovelace", (string?)profile["$name"]);
            Assert.Equal("premium", (string?)profile["plan"]);
            Assert.Equal("2024-01-01", (string?)profile["first_seen"]);
            Assert.Equal("newsletter", (string?)profile["referrer"]);
            Assert.Equal(1m, (decimal)profile["logins"]!);
            Assert.Equal(7m, (decimal)profile["credits"]!);
            Assert.Equal(-2.5m, (decimal)profile["balance"]!);
            AssertJson("""["home","pricing"]""", profile["pages"]);
            AssertJson("""[["x","y"]]""", profile["pairs"]);
            AssertJson("""["firefox","safari"]""", profile["browsers"]);
            AssertJson("""[{"$amount":29.99},{"$time":"2012-02-01T00:00:00.000Z","sku":"A1","$amount":19}]""", profile["$transactions"]);
            Assert.False(profile.ContainsKey("to_unset"));
            Assert.False(profile.ContainsKey("a"));
            Assert.False(profile.ContainsKey("b"));
            Assert.NotNull(profile["$created"]);
            Assert.NotNull(profile["$last_seen"]);

            Assert.Null(await server.ProfileAsync((string)ids["doomed"]!));

            // $time went as milliseconds; $ignore_time kept $last_seen where it was.
            var timed = await server.RequiredProfileAsync((string)ids["timed"]!);
            Assert.Equal(2m, (decimal)timed["step"]!);
            Assert.Equal("2020-05-06T07:08:09", (string?)timed["$created"]);
            Assert.Equal("2020-05-06T07:08:09", (string?)timed["$last_seen"]);
        }
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "nothing"}");
}
