using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Server.Tests;

/// <summary><c>GET /openapi/v1.json</c> describes every endpoint; <c>GET /api-docs</c> renders it without other origins.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task The_document_describes_every_route_the_server_maps()
    {
        await using var server = await RunningServer.StartAsync();
        var document = JsonNode.Parse(await server.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText != "/openapi/{documentName}.json")
            // The profile browser's pages and assets are the server's web page, not its API.
            .Where(endpoint => endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => ("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), method.ToLowerInvariant())))
            .Distinct()
            .ToList();
        Assert.Contains(("/engage", "post"), routes);
        Assert.Contains(("/api/query/engage", "get"), routes);
        Assert.Contains(("/metrics", "get"), routes);
        Assert.DoesNotContain(paths, path => path.Key == "/export.csv" || path.Key.StartsWith("/ui/", StringComparison.Ordinal));
        foreach (var (path, method) in routes)
        {
            var operation = paths[path]?[method];
            Assert.True(operation is not null, $"{method} {path} is not in the document");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation!["summary"]), $"{method} {path} has no summary");
            Assert.NotEmpty(operation["responses"]!.AsObject());
        }

        Assert.Equal(routes.Count, paths.Sum(path => path.Value!.AsObject().Count(operation => operation.Value?["responses"] is not null)));
    }

    [Fact]
    public async Task The_document_gives_the_parameters_and_answers_of_the_wire_endpoints()
    {
        await using var server = await RunningServer.StartAsync();
        var paths = JsonNode.Parse(await server.Client.GetStringAsync("/openapi/v1.json"))!["paths"]!;

        static string[] Parameters(JsonNode operation) => [.. operation["parameters"]!.AsArray().Select(parameter => (string)parameter!["name"]!)];

        var engage = paths["/engage"]!["post"]!;
        Assert.Subset(Parameters(engage).ToHashSet(), new HashSet<string> { "data", "verbose", "strict", "ip", "callback" });
        Assert.NotNull(engage["requestBody"]!["content"]!["application/x-www-form-urlencoded"]);
        foreach (var code in new[] { "200", "400", "413", "429" })
        {
            Assert.NotNull(engage["responses"]![code]);
        }

        Assert.NotNull(engage["responses"]!["429"]!["headers"]!["Retry-After"]);
        var strict = engage["responses"]!["200"]!["content"]!["application/json"]!.ToJsonString();
        Assert.Contains("num_records_imported", ResolveAll(strict, paths.Root), StringComparison.Ordinal);

        var query = paths["/api/query/engage"]!["get"]!;
        Assert.Subset(Parameters(query).ToHashSet(), new HashSet<string> { "distinct_id", "distinct_ids", "where", "sort_key", "sort_order", "output_properties", "data_group_id", "page", "page_size", "session_id", "project_id" });
        Assert.NotNull(query["security"]);
        Assert.Contains("session_id", ResolveAll(query["responses"]!["200"]!.ToJsonString(), paths.Root), StringComparison.Ordinal);

        var ready = paths["/readyz"]!["get"]!["responses"]!;
        Assert.NotNull(ready["200"]);
        Assert.NotNull(ready["503"]);
    }

    [Fact]
    public async Task The_reference_page_loads_from_this_server_only()
    {
        await using var server = await RunningServer.StartAsync();
        using var page = await server.Client.GetAsync("/api-docs");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/api-docs/api-docs.js\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/api-docs/api-docs.css\"", html, StringComparison.Ordinal);

        using var script = await server.Client.GetAsync("/api-docs/api-docs.js");
        Assert.Equal(200, (int)script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var js = await script.Content.ReadAsStringAsync();
        Assert.Contains("fetch(\"/openapi/v1.json\"", js, StringComparison.Ordinal);

        using var style = await server.Client.GetAsync("/api-docs/api-docs.css");
        Assert.Equal(200, (int)style.StatusCode);
        var css = await style.Content.ReadAsStringAsync();

        // Nothing is loaded from another origin.
        foreach (var text in new[] { html, js, css })
        {
            Assert.DoesNotContain("http://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("//cdn", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The text of <paramref name="json"/> with every <c>$ref</c> it names appended, recursively.</summary>
    private static string ResolveAll(string json, JsonNode document)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var text = json;
        var pending = new Queue<string>([json]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var reference in System.Text.RegularExpressions.Regex.Matches(current, "\"\\$ref\":\"#/([^\"]+)\"").Select(match => match.Groups[1].Value))
            {
                if (!seen.Add(reference))
                {
                    continue;
                }

                var node = reference.Split('/').Aggregate((JsonNode?)document, (node, part) => node?[part]);
                var resolved = node?.ToJsonString() ?? "";
                text += resolved;
                pending.Enqueue(resolved);
            }
        }

        return text;
    }
}
