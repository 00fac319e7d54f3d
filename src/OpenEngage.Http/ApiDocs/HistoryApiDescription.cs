using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenEngage.Http.RateLimiting;

namespace OpenEngage.Http.ApiDocs;

/// <summary>Describes <c>/api/query/history</c> (see <see cref="HistoryEndpoints"/>), whose handler reads the raw request.</summary>
internal sealed class HistoryApiDescription : IOpenApiDocumentTransformer
{
    private const string Json = "application/json";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var error = await context.GetOrCreateSchemaAsync(typeof(QueryError), null, cancellationToken);
        document.Paths ??= [];
        var item = new OpenApiPathItem { Operations = [] };
        document.Paths["/api/query/history"] = item;
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            item.Operations[method] = new OpenApiOperation
            {
                OperationId = "history_" + method.Method.ToLowerInvariant(),
                Summary = "A profile's property history, newest first: property, old and new value, the record's $time, its arrival, source and credential.",
                Description = "Query API credentials (HTTP Basic). Kept for History:RetentionDays (404 when 0). Parameters may also come as a form body (POST).",
                Parameters =
                [
                    Parameter("distinct_id", "The profile (the group id with data_group_id). Required."),
                    Parameter("data_group_id", "The group key, for a group profile."),
                    Parameter("property", "Only this property's changes."),
                    Parameter("from", "Only records with $time at or after this: Unix seconds or ISO 8601."),
                    Parameter("to", "Only records with $time at or before this: Unix seconds or ISO 8601."),
                    Parameter("page", "The page, from 0."),
                    Parameter("page_size", $"Changes per page, 1 to {HistoryEndpoints.MaxPageSize} (default {HistoryEndpoints.DefaultPageSize})."),
                    Parameter("project_id", "The project, when the credentials may read several."),
                ],
                Responses = new OpenApiResponses
                {
                    ["200"] = Response("{\"status\":\"ok\",\"page\",\"page_size\",\"total\",\"results\":[{\"property\",\"old\",\"new\",\"time\",\"received\",\"source\",\"credential\"}]}; an absent value is null.", new OpenApiSchema { Type = JsonSchemaType.Object }),
                    ["400"] = Response("A parameter is missing or invalid; the error says which.", error),
                    ["401"] = Response("No or invalid credentials.", error),
                    ["404"] = Response("History is off on this server.", error),
                    ["429"] = Response("Too many queries of this project at once.", error),
                },
            };
        }
    }

    private static OpenApiParameter Parameter(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiResponse Response(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = schema } },
    };
}
