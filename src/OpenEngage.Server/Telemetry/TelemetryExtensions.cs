using System.Runtime.CompilerServices;
using OpenEngage.Http;
using OpenEngage.Ingestion;
using OpenEngage.Storage;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenEngage.Server.Telemetry;

/// <summary>
/// Metrics through OpenTelemetry: ASP.NET Core's, Kestrel's and the runtime's meters plus
/// OpenEngage's own (<see cref="IngestionMetrics"/>, <see cref="StorageMetrics"/>,
/// <see cref="HttpMetrics"/>), scraped at <c>GET /metrics</c> in Prometheus text format, and
/// exported over OTLP (metrics and traces) when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetryExtensions
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddOpenEngageTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Create the instruments now, so every series is scraped from the start (at zero), not after the first use.
        RuntimeHelpers.RunClassConstructor(typeof(IngestionMetrics).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(StorageMetrics).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(HttpMetrics).TypeHandle);

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("openengage", serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(IngestionMetrics.MeterName, StorageMetrics.MeterName, HttpMetrics.MeterName)
                    // Every scrape reads the current values: a scraper polls every few seconds at most.
                    .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c>: no credentials, no profile data; restrict it at the proxy when the port is public.</summary>
    public static IEndpointRouteBuilder MapOpenEngageMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
