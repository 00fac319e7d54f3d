using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Http.Health;

/// <summary><c>GET /healthz</c> (the process is alive) and <c>GET /readyz</c> (ready for traffic), JSON, no credentials.</summary>
public static class HealthEndpoints
{
    public static IServiceCollection AddOpenEngageHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>()
            .BindConfiguration(HealthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ReadinessCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapOpenEngageHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Json(new LivenessReport("alive")))
            .WithName("Liveness")
            .WithSummary("The process is alive and answers HTTP; always 200.")
            .Produces<LivenessReport>(StatusCodes.Status200OK);

        endpoints.MapGet("/readyz", async (ReadinessCheck check, HttpContext context) =>
            {
                var report = await check.CheckAsync(context.RequestAborted);
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Json(report, statusCode: report.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("Readiness")
            .WithSummary("Ready for traffic: the store is reachable and writable, the writer is not stalled, the queue is below its bound. 200 when ready, 503 when not.")
            .Produces<ReadinessReport>(StatusCodes.Status200OK)
            .Produces<ReadinessReport>(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }
}
