using System.Text.Json.Nodes;

namespace OpenEngage.Compatibility.Tests;

/// <summary>
/// The official Mixpanel browser SDK (npm <c>mixpanel-browser</c>, pinned in tests/sdk/browser) in headless
/// Chromium, driven by playwright-core. The page comes from another origin than the API, so every request
/// is a cross-origin XHR with credentials. The SDK may reorder records inside a batch and separate
/// requests may arrive in any order, so each phase holds only operations whose outcome is
/// order-independent, lists are compared as multisets, and the script waits for the SDK to finish
/// sending between phases.
/// </summary>
public sealed class BrowserSdkTests
{
    [Theory]
    [InlineData("batch")]
    [InlineData("direct")]
    public async Task Identify_people_operations_and_delete_user_reach_the_profile(string mode)
    {
        await using var server = await RunningServer.StartAsync();
        var apiBase = server.Address.GetLeftPart(UriPartial.Authority);
        var summary = await NodeScript.RunAsync(
            NodeScript.SdkDirectory("browser"), "run.js", TimeSpan.FromSeconds(90), apiBase, RunningServer.Token, "browser", mode);

        Assert.True(summary["failures"]!.AsArray().Count == 0, $"failed requests: {summary["failures"]!.ToJsonString()}");
        var corsErrors = summary["consoleErrors"]!.AsArray().Select(error => (string)error!)
            .Where(error => error.Contains("CORS", StringComparison.OrdinalIgnoreCase) || error.Contains("Access-Control", StringComparison.Ordinal))
            .ToList();
        Assert.True(corsErrors.Count == 0, string.Join("\n", corsErrors));

        var pageOrigin = (string)summary["pageOrigin"]!;
        Assert.NotEqual(apiBase, pageOrigin);
        var requests = summary["requests"]!.AsArray().Select(request => request!.AsObject()).ToList();
        Assert.NotEmpty(requests);
        foreach (var request in requests)
        {
            var what = $"{request["method"]} {request["url"]}";
            Assert.True((int)request["status"]! == 200, $"{what}: HTTP {request["status"]}: {request["response"]}");
            // Credentialed CORS: the page's origin echoed, never "*", and credentials allowed.
            Assert.Equal(pageOrigin, (string?)request["allowOrigin"]);
            Assert.Equal("true", (string?)request["allowCredentials"]);
            Assert.Equal("POST", (string?)request["method"]);
            Assert.StartsWith("application/x-www-form-urlencoded", (string?)request["contentType"], StringComparison.Ordinal);
            if (mode == "batch")
            {
                // Batches always ask for verbose answers.
                Assert.Contains("verbose=1", (string)request["url"]!, StringComparison.Ordinal);
                Assert.Equal("""{"status":1,"error":null}""", (string?)request["response"]);
            }
            else
            {
                Assert.Equal("1", (string?)request["response"]);
            }
        }

        if (mode == "batch")
        {
            // The point of batching: several records in one request.
            Assert.True(requests.Count < 12, $"{requests.Count} requests for 12 updates");
        }

        foreach (var callback in summary["callbacks"]!.AsArray())
        {
            Assert.True(callback!["response"]!.ToJsonString() == "1", $"callback {callback.ToJsonString()}");
        }

        var ids = summary["ids"]!;
        var profile = await server.RequiredProfileAsync((string)ids["person"]!);
        Assert.Equal("Grace Hopper", (string?)profile["$name"]);
        Assert.Equal("pro", (string?)profile["plan"]);
        Assert.Equal("2024-02-03", (string?)profile["first_seen"]);
        Assert.Equal(3m, (decimal)profile["visits"]!);
        Assert.Equal(5m, (decimal)profile["credits"]!);
        Assert.Equal(2.5m, (decimal)profile["score"]!);
        AssertSameElements(["home", "docs"], profile["pages"]);
        AssertSameElements(["chromium", "firefox"], profile["browsers"]);
        AssertSameElements(["a", "c"], profile["tags"]);
        Assert.False(profile.ContainsKey("to_unset"));
        Assert.False(profile.ContainsKey("to_remove"));
        // The SDK's own properties arrive too.
        Assert.Equal("Chrome", (string?)profile["$browser"]);
        Assert.NotNull(profile["$created"]);
        Assert.NotNull(profile["$last_seen"]);

        Assert.Null(await server.ProfileAsync((string)ids["doomed"]!));
    }

    private static void AssertSameElements(string[] expected, JsonNode? actual)
    {
        var elements = actual?.AsArray().Select(element => (string)element!).Order(StringComparer.Ordinal).ToArray() ?? [];
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), elements);
    }
}
