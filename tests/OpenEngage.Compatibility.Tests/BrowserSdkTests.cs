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

        // Every people call reached the server exactly once. How a batching SDK splits them into
        // requests depends on its timers (it enqueues through an asynchronous lock), so only the
        // records are counted, never the requests.
        var operations = requests.SelectMany(request => Operations(mode, (string?)request["body"])).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ExpectedOperations.Order(StringComparer.Ordinal), operations);

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

    /// <summary>
    /// The operation of every record the SDK sends: page.html's people calls (9 in phase 1, 5 in
    /// phase 2, 1 each in phases 3 and 4), and the <c>$set_once</c> of <c>$initial_referrer</c> the
    /// SDK itself sends when it identifies the first person.
    /// </summary>
    private static readonly string[] ExpectedOperations =
    [
        "$set", "$set_once", "$add", "$add", "$append", "$append", "$union", "$union", "$union",
        "$set_once", "$remove", "$unset", "$unset", "$add",
        "$set",
        "$delete",
        "$set_once",
    ];

    /// <summary>
    /// The operation of each record of one request's form body (a batch's <c>data</c> is a base64
    /// JSON array of records; a direct request's is one JSON record).
    /// </summary>
    private static IEnumerable<string> Operations(string mode, string? body)
    {
        var data = body?.Split('&').Select(part => part.Split('=', 2)).FirstOrDefault(pair => pair[0] == "data" && pair.Length == 2)?[1];
        Assert.True(data is not null, $"a request without a data field: {body}");
        var text = Uri.UnescapeDataString(data.Replace('+', ' '));
        JsonNode[] records = mode == "batch"
            ? [.. Assert.IsType<JsonArray>(JsonNode.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text))))!.Select(record => record!)]
            : [Assert.IsType<JsonObject>(JsonNode.Parse(text))];
        Assert.NotEmpty(records);
        return records.Select(record => Assert.Single(record.AsObject(), member => OperationNames.Contains(member.Key)).Key);
    }

    private static readonly HashSet<string> OperationNames = ["$set", "$set_once", "$add", "$append", "$union", "$remove", "$unset", "$delete"];

    private static void AssertSameElements(string[] expected, JsonNode? actual)
    {
        var elements = actual?.AsArray().Select(element => (string)element!).Order(StringComparer.Ordinal).ToArray() ?? [];
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), elements);
    }
}
