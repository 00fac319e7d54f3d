using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Ingestion.Privacy;
using OpenEngage.Projects;

namespace OpenEngage.Http.Identity;

/// <summary>
/// Mixpanel's GDPR / CCPA API (contract §11): <c>POST /api/app/data-deletions/v3.0</c> and
/// <c>/api/app/data-retrievals/v3.0</c> with <c>?token=</c> and <c>{"distinct_ids":[…],"compliance_type":"GDPR"|"CCPA"}</c>;
/// <c>GET</c> / <c>DELETE …/{task_id}</c>; a retrieval's export at <c>…/{task_id}/export</c>.
/// <c>Authorization: Bearer &lt;API secret&gt;</c>, or HTTP Basic with an owner service account.
/// </summary>
public static class PrivacyEndpoints
{
    private const string Deletions = "/api/app/data-deletions/v3.0";
    private const string Retrievals = "/api/app/data-retrievals/v3.0";
    private const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapPrivacyRequests(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var (path, kind) in new[] { (Deletions, PrivacyTaskKind.Deletion), (Retrievals, PrivacyTaskKind.Retrieval) })
        {
            var what = kind == PrivacyTaskKind.Deletion ? "deletion" : "retrieval";
            endpoints.MapPost(path, IdentityEndpoints.Handler(context => IdentityEndpoints.GuardAsync(context, c => CreateAsync(c, kind))))
                .Describe($"A GDPR/CCPA {what} request (?token=, body {{\"distinct_ids\":[…],\"compliance_type\":\"GDPR\"|\"CCPA\"}}); Bearer API secret or an owner service account. Carried out before the answer.", 200, 400, 401, 403);
            endpoints.MapGet(path + "/{task_id}", IdentityEndpoints.Handler(context => IdentityEndpoints.GuardAsync(context, c => StatusAsync(c, kind))))
                .Describe($"The status of a {what} task.", 200, 401, 404);
            endpoints.MapDelete(path + "/{task_id}", IdentityEndpoints.Handler(context => IdentityEndpoints.GuardAsync(context, c => RevokeAsync(c, kind))))
                .Describe($"Revokes a {what} task not yet started (tasks here finish when they are made: 409).", 401, 404, 409);
        }

        endpoints.MapGet(Retrievals + "/{task_id}/export", IdentityEndpoints.Handler(context => IdentityEndpoints.GuardAsync(context, ExportAsync)))
            .Describe("The JSON export of a retrieval task: every stored profile of the ids and their clusters.", 200, 401, 404);
        return endpoints;
    }

    /// <summary>The project the <c>token</c> names, when the credentials are its owner's.</summary>
    private static ProjectOptions Authenticate(HttpContext context)
    {
        var projects = context.RequestServices.GetRequiredService<ProjectDirectory>();
        var owned = OwnerAuthentication.OwnedProjects(context.Request, projects, allowBearer: true);
        var token = context.Request.Query["token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return owned.Count == 1 ? owned[0] : throw new WireError(400, "token is required: the project token");
        }

        return owned.FirstOrDefault(project => string.Equals(project.Token, token, StringComparison.Ordinal))
            ?? throw new WireError(403, "these credentials are not an owner's of the project with this token");
    }

    private static async Task CreateAsync(HttpContext context, PrivacyTaskKind kind)
    {
        var project = Authenticate(context);
        var (ids, complianceType) = await ReadRequestAsync(context.Request);
        var privacy = context.RequestServices.GetRequiredService<PrivacyService>();
        var task = kind == PrivacyTaskKind.Deletion
            ? await privacy.DeleteAsync(project.EffectiveId, complianceType, ids, CancellationToken.None)
            : await privacy.RetrieveAsync(project.EffectiveId, complianceType, ids, context.RequestAborted);
        await IdentityJson.WriteOkAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("task_id", task.Id);
            writer.WriteEndObject();
        });
    }

    private static async Task StatusAsync(HttpContext context, PrivacyTaskKind kind)
    {
        var (project, task) = Find(context, kind);
        await IdentityJson.WriteOkAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", task.Status);
            writer.WriteString("compliance_type", task.ComplianceType);
            writer.WriteStartArray("distinct_ids");
            foreach (var id in task.DistinctIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            if (task.Kind == PrivacyTaskKind.Retrieval)
            {
                var request = context.Request;
                writer.WriteString("result", $"{request.Scheme}://{request.Host}{request.PathBase}{Retrievals}/{task.Id}/export?token={Uri.EscapeDataString(project.Token)}");
            }
            else
            {
                writer.WriteNull("result");
            }

            writer.WriteEndObject();
        });
    }

    private static Task RevokeAsync(HttpContext context, PrivacyTaskKind kind)
    {
        _ = Find(context, kind);
        throw new WireError(409, "the task has already finished (requests are carried out when they are made); only a task not yet started can be revoked");
    }

    private static async Task ExportAsync(HttpContext context)
    {
        var (_, task) = Find(context, PrivacyTaskKind.Retrieval);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(task.Export ?? "[]");
    }

    private static (ProjectOptions Project, PrivacyTask Task) Find(HttpContext context, PrivacyTaskKind kind)
    {
        var project = Authenticate(context);
        var id = context.Request.RouteValues["task_id"] as string ?? "";
        var task = context.RequestServices.GetRequiredService<PrivacyService>().Find(project.EffectiveId, kind, id);
        return task is null ? throw new WireError(404, $"no {(kind == PrivacyTaskKind.Deletion ? "deletion" : "retrieval")} task {id} in this project") : (project, task);
    }

    private static async Task<(IReadOnlyList<string> Ids, string ComplianceType)> ReadRequestAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new WireError(413, $"the body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw new WireError(413, $"the body is larger than {MaxBodyBytes} bytes");
            }
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException error)
        {
            throw new WireError(400, $"the body must be JSON {{\"distinct_ids\":[…],\"compliance_type\":\"GDPR\"|\"CCPA\"}}: {error.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WireError(400, "the body must be a JSON object {\"distinct_ids\":[…],\"compliance_type\":\"GDPR\"|\"CCPA\"}");
            }

            var complianceType = root.TryGetProperty("compliance_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "";
            if (complianceType is not ("GDPR" or "CCPA"))
            {
                throw new WireError(400, "compliance_type must be \"GDPR\" or \"CCPA\"");
            }

            if (!root.TryGetProperty("distinct_ids", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new WireError(400, "distinct_ids must be a non-empty array of ids");
            }

            if (list.GetArrayLength() > PrivacyService.MaxIds)
            {
                throw new WireError(400, $"distinct_ids holds {list.GetArrayLength()} ids; the limit is {PrivacyService.MaxIds}");
            }

            var ids = new List<string>();
            foreach (var item in list.EnumerateArray())
            {
                var id = item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString()!,
                    JsonValueKind.Number => item.GetRawText(),
                    _ => throw new WireError(400, "every distinct_id must be a string or a number"),
                };
                if (string.IsNullOrWhiteSpace(id))
                {
                    throw new WireError(400, "a distinct_id is empty");
                }

                ids.Add(id);
            }

            return (ids, complianceType);
        }
    }
}
