using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OpenEngage.Http;

/// <summary>Registers what the HTTP edge shares between requests, and the headers every answer carries.</summary>
public static class HttpEdgeExtensions
{
    /// <summary>
    /// Options validated at start, the body buffer budget, the query sessions, and the CORS policy
    /// of the ingestion endpoints. Credentialed CORS is theirs alone: no default policy, so the
    /// query API gives other origins nothing.
    /// </summary>
    public static IServiceCollection AddHttpEdge(this IServiceCollection services)
    {
        services.AddOptions<IngestionLimitsOptions>().BindConfiguration(IngestionLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new BodyBufferBudget(provider.GetRequiredService<IOptions<IngestionLimitsOptions>>().Value.MaxBufferedBodyBytes));
        services.AddSingleton(provider => new QuerySessions(
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetRequiredService<IOptions<QueryOptions>>().Value.MaxSessionBytes));
        services.AddCors(cors => cors.AddPolicy(IngestionEndpoints.CorsPolicy, policy => policy
            .SetIsOriginAllowed(_ => true)
            .AllowCredentials()
            .AllowAnyHeader()
            .WithMethods("GET", "POST")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        return services;
    }

    /// <summary><c>X-Content-Type-Options: nosniff</c> on every answer. Call first.</summary>
    public static IApplicationBuilder UseHttpEdge(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return next(context);
    });
}
