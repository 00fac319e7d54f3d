using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Server.Tests;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, metrics are pushed over OTLP as well.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_are_exported_over_OTLP_when_an_endpoint_is_set()
    {
        // A collector of our own: it keeps every OTLP/HTTP request it gets.
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await collector.StartAsync();
        var endpoint = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var server = await RunningServer.StartAsync(
            $"OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}",
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL=200");
        Assert.Equal(200, (await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"otlp","$set":{"plan":"pro"}}""")).Status);

        // OTLP is protobuf: metric names travel as plain UTF-8 strings inside it.
        var name = Encoding.UTF8.GetBytes("openengage.records.applied");
        var watch = Stopwatch.StartNew();
        while (!received.Any(request => request.Path == "/v1/metrics" && request.Body.AsSpan().IndexOf(name) >= 0) && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.Contains(received, request => request.Path == "/v1/metrics" && request.Body.AsSpan().IndexOf(name) >= 0);
        Assert.Contains(received, request => request.Path == "/v1/metrics" && request.Body.AsSpan().IndexOf("http.server.request.duration"u8) >= 0);
    }
}
