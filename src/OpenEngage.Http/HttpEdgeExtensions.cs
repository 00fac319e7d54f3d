using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Querying;

namespace OpenEngage.Http;

/// <summary>Registers what the HTTP edge shares between requests, and the headers every answer carries.</summary>
public static class HttpEdgeExtensions
{
    /// <summary>
    /// Options validated at start, Kestrel's limits (<see cref="HttpEdgeKestrelSetup"/>), the body
    /// buffer budget, the query sessions, and the CORS policy of the ingestion endpoints. Credentialed CORS is theirs alone (see <see cref="UseHttpEdge"/>):
    /// there is no default policy, so the query API gives other origins nothing.
    /// </summary>
    public static IServiceCollection AddHttpEdge(this IServiceCollection services)
    {
        services.AddOptions<IngestionLimitsOptions>().BindConfiguration(IngestionLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, HttpEdgeKestrelSetup>());
        services.AddSingleton(provider => new BodyBufferBudget(provider.GetRequiredService<IOptions<IngestionLimitsOptions>>().Value.MaxBufferedBodyBytes));
        services.AddProfileQueries(provider => provider.GetRequiredService<IOptions<QueryOptions>>().Value.MaxSessionBytes);
        services.AddCors(cors => cors.AddPolicy(IngestionEndpoints.CorsPolicy, policy => policy
            .SetIsOriginAllowed(_ => true)
            .AllowCredentials()
            .AllowAnyHeader()
            .WithMethods("GET", "POST")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        return services;
    }

    /// <summary>
    /// The paths browsers send updates to: ours, and those of Mixpanel's browser SDK that this server
    /// does not implement (<c>/track</c>, <c>/decide</c>), so their 404 is not turned into a CORS error
    /// in the page's console.
    /// </summary>
    private static readonly string[] BrowserPaths = ["/engage", "/groups", "/track", "/decide"];

    /// <summary>
    /// <c>X-Content-Type-Options: nosniff</c> on every answer, and the credentialed CORS policy on the
    /// browser paths (including their preflights) and nowhere else. Call first.
    /// </summary>
    public static IApplicationBuilder UseHttpEdge(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        return app.UseWhen(context => IsBrowserPath(context.Request.Path), browser => browser.UseCors(IngestionEndpoints.CorsPolicy));
    }

    /// <summary>A browser path, with or without a trailing slash or a percent-encoded fragment (<c>/engage%23x</c>).</summary>
    private static bool IsBrowserPath(PathString path)
    {
        var value = path.Value ?? "";
        foreach (var prefix in BrowserPaths)
        {
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (value.Length == prefix.Length || value[prefix.Length] is '/' or '#'))
            {
                return true;
            }
        }

        return false;
    }
}
