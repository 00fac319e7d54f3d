using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Ingestion.Identity;
using OpenEngage.Projects;

namespace OpenEngage.Http.Identity;

/// <summary>
/// <c>/track</c> (project token in each event) and <c>/import</c> (HTTP Basic: API secret or an owner
/// service account, <c>project_id</c> where it opens several): the transports, limits and responses of
/// <c>/engage</c>; identity events change the identity map, every other event is acknowledged and not stored.
/// </summary>
public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventIngestion(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/track", ["GET", "POST"], IdentityEndpoints.Handler(context => HandleAsync(context, EventEndpointKind.Track)))
            .Describe("Events from the SDKs (project token in properties.token): identity events ($identify, $create_alias, and any event with $device_id and $user_id in simplified mode) change the identity map; other events are acknowledged and not stored. Transports, limits and answers as /engage.", 200, 400, 413, 429);
        endpoints.MapMethods("/import", ["GET", "POST"], IdentityEndpoints.Handler(context => HandleAsync(context, EventEndpointKind.Import)))
            .Describe("Events with HTTP Basic (API secret or an owner service account; project_id when it opens several): as /track, and $merge joins two clusters.", 200, 400, 401, 413, 429);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, EventEndpointKind endpoint)
    {
        var services = context.RequestServices;
        var receivedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var parameters = new IngestionParameters();
        parameters.Read(context.Request.Query);

        ProjectOptions? project = null;
        if (endpoint == EventEndpointKind.Import)
        {
            try
            {
                var owned = OwnerAuthentication.OwnedProjects(context.Request, services.GetRequiredService<ProjectDirectory>());
                project = QueryAuthentication.Select(owned, context.Request.Query["project_id"].ToString());
            }
            catch (WireError error)
            {
                if (error.StatusCode == 401)
                {
                    await QueryAdmission.AuthenticationFailedAsync(context);
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenEngage\"";
                }

                await IngestionResponse.WriteErrorAsync(context.Response, parameters, error.StatusCode, error.Message);
                return;
            }
        }

        await IngestionEndpoints.ReadIngestAndAnswerAsync(
            context,
            parameters,
            typeof(EventEndpoints),
            records => services.GetRequiredService<EventPipeline>().IngestAsync(records, new EventContext(endpoint, receivedAt, project), CancellationToken.None),
            "the identity map could not be updated; the events were not acknowledged");
    }
}
