namespace OpenEngage.Compatibility.Tests;

/// <summary>The API reference page (<c>/api-docs</c>) rendered by headless Chromium from the server's OpenAPI document.</summary>
public sealed class ApiDocsPageTests
{
    [Fact]
    public async Task The_reference_page_renders_every_operation_from_the_server_alone()
    {
        await using var server = await RunningServer.StartAsync();
        var apiBase = server.Address.GetLeftPart(UriPartial.Authority);
        var summary = await NodeScript.RunAsync(NodeScript.SdkDirectory("browser"), "api-docs.js", TimeSpan.FromSeconds(60), apiBase);

        Assert.Empty(summary["consoleErrors"]!.AsArray());
        Assert.Equal("OpenEngage API reference (v1)", (string?)summary["heading"]);

        var operations = summary["operations"]!.AsArray().Select(operation => ((string)operation!).Replace(" ", "", StringComparison.Ordinal)).ToHashSet();
        foreach (var expected in new[] { "post/engage", "get/engage", "post/groups", "get/api/query/engage", "post/api/2.0/engage", "get/healthz", "get/readyz", "get/metrics" })
        {
            Assert.Contains(expected, operations);
        }

        Assert.Contains("data", summary["engageParameters"]!.AsArray().Select(name => (string?)name));

        // The page, its script and style sheet and the document, all from the server itself.
        var requests = summary["requests"]!.AsArray().Select(request => (string)request!).ToList();
        Assert.Contains($"{apiBase}/openapi/v1.json", requests);
        Assert.All(requests, request => Assert.StartsWith(apiBase + "/", request, StringComparison.Ordinal));
    }
}
