using OpenEngage.Http.ApiDocs;
using OpenEngage.Http.Health;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Server.Telemetry;

namespace OpenEngage.Server;

/// <summary>The operating surface in one place: health, metrics, rate limits and the API reference.</summary>
public static class OperationsExtensions
{
    public static WebApplicationBuilder AddOpenEngageOperations(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenEngageHealth();
        builder.Services.AddOpenEngageRateLimiting();
        builder.Services.AddOpenEngageApiDocs();
        return builder.AddOpenEngageTelemetry();
    }

    public static IEndpointRouteBuilder MapOpenEngageOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenEngageHealth();
        endpoints.MapOpenEngageMetrics();
        endpoints.MapOpenEngageApiDocs();
        return endpoints;
    }
}
