using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Ingestion.Identity;
using OpenEngage.Projects;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Http.Identity;

/// <summary>
/// Clusters you can see and undo: <c>GET /api/query/identity?distinct_id=</c> answers the cluster of an
/// id (canonical id, every member, how and when each was linked); <c>POST /api/identity/unmerge</c>
/// with <c>distinct_id</c> splits that id out of its cluster. Owner credentials only.
/// </summary>
public static class IdentityEndpoints
{
    /// <summary>Maps <c>/track</c>, <c>/import</c>, the cluster API and the privacy requests.</summary>
    public static IEndpointRouteBuilder MapIdentityApis(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapEventIngestion();
        endpoints.MapMethods("/api/query/identity", ["GET", "POST"], Handler(context => GuardAsync(context, ClusterAsync)))
            .Describe("The cluster of distinct_id: its canonical id and every member, with how and when each was linked. Owner credentials (HTTP Basic).", 200, 400, 401);
        endpoints.MapPost("/api/identity/unmerge", Handler(context => GuardAsync(context, UnmergeAsync)))
            .Describe("Splits distinct_id out of its cluster: its later updates go to its own profile. Owner credentials (HTTP Basic).", 200, 400, 401, 404, 409);
        endpoints.MapPrivacyRequests();
        return endpoints;
    }

    /// <summary>A handler as a route handler delegate, so the API description lists it.</summary>
    internal static Delegate Handler(Func<HttpContext, Task> handle) => handle;

    /// <summary>Gives an endpoint its summary and answers in the API description.</summary>
    internal static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string summary, params int[] statusCodes)
    {
        builder.WithSummary(summary);
        foreach (var statusCode in statusCodes)
        {
            builder.Produces(statusCode, contentType: "application/json");
        }

        return builder;
    }

    /// <summary>Answers a refusal (<see cref="WireError"/>) in the API's error shape; a 401 also delays and asks for Basic.</summary>
    internal static async Task GuardAsync(HttpContext context, Func<HttpContext, Task> answer)
    {
        try
        {
            await answer(context);
        }
        catch (WireError error)
        {
            if (error.StatusCode == 401)
            {
                await QueryAdmission.AuthenticationFailedAsync(context);
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenEngage\"";
            }

            await IdentityJson.WriteErrorAsync(context.Response, error.StatusCode, error.Message);
        }
    }

    private static async Task<(ProjectOptions Project, string DistinctId)> ReadAsync(HttpContext context)
    {
        var owned = OwnerAuthentication.OwnedProjects(context.Request, context.RequestServices.GetRequiredService<ProjectDirectory>());
        var parameters = await QueryForm.ReadAsync(context.Request, context.RequestAborted);
        var project = QueryAuthentication.Select(owned, parameters.GetValueOrDefault("project_id"));
        var distinctId = parameters.GetValueOrDefault("distinct_id");
        return string.IsNullOrWhiteSpace(distinctId)
            ? throw new WireError(400, "distinct_id is required")
            : (project, distinctId);
    }

    private static async Task ClusterAsync(HttpContext context)
    {
        var (project, distinctId) = await ReadAsync(context);
        var cluster = await context.RequestServices.GetRequiredService<IIdentityStore>().GetClusterAsync(project.EffectiveId, distinctId, context.RequestAborted);
        await IdentityJson.WriteOkAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("distinct_id", distinctId);
            writer.WriteString("canonical_id", cluster?.Canonical ?? distinctId);
            writer.WriteStartArray("members");
            foreach (var member in cluster?.Members ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("distinct_id", member.Id);
                writer.WriteString("how", member.How);
                writer.WriteString("via", member.Via);
                writer.WriteString("linked_at", IdentityJson.Time(member.LinkedAt));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task UnmergeAsync(HttpContext context)
    {
        var (project, distinctId) = await ReadAsync(context);
        var services = context.RequestServices;
        var resolver = services.GetRequiredService<IdentityResolver>();
        var time = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var status = await resolver.Store.UnmergeAsync(project.EffectiveId, distinctId, time, CancellationToken.None);
        resolver.Forget(project.EffectiveId, [distinctId]);
        switch (status)
        {
            case IdentityUnmergeStatus.NotLinked:
                throw new WireError(404, $"\"{distinctId}\" belongs to no cluster");
            case IdentityUnmergeStatus.IsCanonical:
                throw new WireError(409, $"\"{distinctId}\" is the canonical id of its cluster; unmerge its other ids instead");
        }

        await IdentityJson.WriteOkAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("distinct_id", distinctId);
            writer.WriteString("canonical_id", distinctId);
            writer.WriteBoolean("unmerged", true);
            writer.WriteEndObject();
        });
    }
}
