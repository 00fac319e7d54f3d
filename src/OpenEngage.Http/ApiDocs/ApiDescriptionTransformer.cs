using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenEngage.Http.RateLimiting;

namespace OpenEngage.Http.ApiDocs;

/// <summary>
/// Describes the endpoints whose handlers read the raw request (Mixpanel's wire formats): the
/// ingestion and query endpoints, the root and <c>/metrics</c>. Their parameters and answers are
/// written here, beside the handlers, since nothing in a handler's signature shows them.
/// </summary>
internal sealed class ApiDescriptionTransformer : IOpenApiDocumentTransformer
{
    private const string Json = "application/json";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OpenEngage",
            Version = "v1",
            Description = "A self-hosted user-profile server speaking Mixpanel's profile API: /engage and /groups take profile updates, "
                + "the Engage Query API reads profiles back. Every SDK that lets its API host be set can point at it.",
        };
        document.Paths ??= [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "A service account as username:secret, or the project's API secret as user name and an empty password.",
        };

        var status = await context.GetOrCreateSchemaAsync(typeof(IngestionStatusBody), null, cancellationToken);
        var strict = await context.GetOrCreateSchemaAsync(typeof(StrictIngestionBody), null, cancellationToken);
        var page = await context.GetOrCreateSchemaAsync(typeof(QueryResultBody), null, cancellationToken);
        var queryError = await context.GetOrCreateSchemaAsync(typeof(QueryError), null, cancellationToken);

        foreach (var (path, kind) in new[] { ("/engage", "user"), ("/groups", "group") })
        {
            var item = PathItem(document, path);
            item.Operations![HttpMethod.Get] = Ingestion(path, kind, "get", status, strict, withBody: false);
            item.Operations[HttpMethod.Post] = Ingestion(path, kind, "post", status, strict, withBody: true);
        }

        foreach (var path in new[] { "/api/query/engage", "/api/2.0/engage" })
        {
            var item = PathItem(document, path);
            item.Operations![HttpMethod.Get] = Query(document, path, "get", page, queryError, withBody: false);
            item.Operations[HttpMethod.Post] = Query(document, path, "post", page, queryError, withBody: true);
        }

        PathItem(document, "/metrics").Operations![HttpMethod.Get] = new OpenApiOperation
        {
            OperationId = "Metrics",
            Summary = "Metrics in Prometheus text format: ASP.NET Core, Kestrel and runtime meters, and OpenEngage's own (openengage_*). No credentials; no profile data.",
            Responses = new OpenApiResponses { ["200"] = Response("The current values.", "text/plain; version=0.0.4", new OpenApiSchema { Type = JsonSchemaType.String }) },
        };
    }

    private static OpenApiPathItem PathItem(OpenApiDocument document, string path)
    {
        if (document.Paths.TryGetValue(path, out var existing) && existing is OpenApiPathItem found)
        {
            found.Operations ??= [];
            return found;
        }

        var item = new OpenApiPathItem { Operations = [] };
        document.Paths[path] = item;
        return item;
    }

    private static OpenApiOperation Ingestion(string path, string kind, string method, IOpenApiSchema status, IOpenApiSchema strict, bool withBody)
    {
        var operation = new OpenApiOperation
        {
            OperationId = $"{path.Trim('/')}_{method}",
            Summary = $"Apply {kind} profile updates ($set, $set_once, $add, $union, $append, $remove, $unset, $delete).",
            Description = "Records are validated one by one; the valid ones are applied in order and are durable before the answer. "
                + "A record is a JSON object with $token and "
                + (kind == "user" ? "$distinct_id" : "$group_key and $group_id")
                + ". Bodies may be gzip or deflate encoded (Content-Encoding). Credentialed CORS is allowed.",
            Parameters =
            [
                QueryParameter("data", "The records: a JSON object or array, plain or base64 encoded (URL-safe base64 too). "
                    + (withBody ? "May instead be the body, as JSON, or as a form / text/plain body with data=." : "Required on GET."), JsonSchemaType.String),
                QueryParameter("verbose", "0 (default): answer 1 or 0 as text. 1: answer {\"status\":1|0,\"error\":…}. 2: as 1, but HTTP 400 when status is 0.", JsonSchemaType.String, "0", "1", "2"),
                QueryParameter("strict", "1: answer what became of each record (failed_records, warnings); HTTP 400 unless every record is valid.", JsonSchemaType.String, "0", "1"),
                QueryParameter("ip", "0: do not geolocate the records from the request's address.", JsonSchemaType.String, "0", "1"),
                QueryParameter("callback", "JSONP: wrap the answer in this JavaScript name path (cb, a.b, mixpanel._jsc[1]); anything else is refused with 400.", JsonSchemaType.String),
            ],
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "Accepted: 1 when at least one record was applied, 0 otherwise (verbose=0); or the JSON status (verbose=1); or the strict answer; or a JSONP call (callback).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("1"), JsonValue.Create("0")] } },
                        [Json] = new() { Schema = new OpenApiSchema { OneOf = [status, strict] } },
                        ["text/javascript"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "callback(<the JSON answer>)" } },
                    },
                },
                ["400"] = Response("The request or (strict=1, verbose=2) a record is invalid; the error says which.", Json, new OpenApiSchema { OneOf = [status, strict] }),
                ["413"] = Response("The body, a record, or the records of one project beyond the rate limit's burst are too large; nothing was applied.", Json, status),
                ["429"] = RateLimited(Json, status, "The project's records-per-second budget (RateLimiting:RecordsPerSecond, :Burst) is spent; nothing was applied. Retry after Retry-After seconds."),
                ["500"] = Response("The store failed; nothing of the request was acknowledged.", Json, status),
                ["503"] = Response("The store is unavailable; nothing of the request was acknowledged.", Json, status),
            },
        };
        if (withBody)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = "The records, when not in the data parameter. The body's shape decides: a body starting with { or [ is JSON, anything else a form.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [Json] = new() { Schema = new OpenApiSchema { Description = "One record or an array of records.", Type = JsonSchemaType.Object | JsonSchemaType.Array } },
                    ["application/x-www-form-urlencoded"] = new() { Schema = FormSchema(("data", "The records, JSON or base64."), ("verbose", "As the query parameter."), ("strict", "As the query parameter."), ("ip", "As the query parameter."), ("callback", "As the query parameter.")) },
                    ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "data=<records> as a form, as some SDKs send it." } },
                },
            };
        }

        return operation;
    }

    private static OpenApiOperation Query(OpenApiDocument document, string path, string method, IOpenApiSchema page, IOpenApiSchema error, bool withBody)
    {
        (string Name, string Description)[] parameters =
        [
            ("distinct_id", "Look up one profile."),
            ("distinct_ids", "Look up several profiles: a JSON array of ids."),
            ("where", "A filter in Mixpanel's expression language, e.g. properties[\"plan\"] == \"pro\"."),
            ("sort_key", "Order by a property: properties[\"name\"]."),
            ("sort_order", "descending (default) or ascending."),
            ("output_properties", "Only these properties: a JSON array of names."),
            ("data_group_id", "Read group profiles of this group key instead of user profiles."),
            ("page", "The page, from 0; pages after the first need session_id."),
            ("page_size", "Profiles per page, 1 to 1000 (default 1000)."),
            ("session_id", "The session of an earlier page: later pages come from the same snapshot of the order."),
            ("project_id", "The project to read, when the credentials may read several."),
        ];
        var operation = new OpenApiOperation
        {
            OperationId = $"{path.Trim('/').Replace('/', '_').Replace('.', '_')}_{method}",
            Summary = path == "/api/2.0/engage" ? "The Engage Query API, under its older path." : "Read profiles: by id, or filtered, sorted and paged (the Engage Query API).",
            Description = "HTTP Basic authentication. The first page answers the total and a session_id; later pages of that session come from the same snapshot.",
            Parameters = [.. parameters.Select(parameter => QueryParameter(parameter.Name, parameter.Description, JsonSchemaType.String))],
            Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] }],
            Responses = new OpenApiResponses
            {
                ["200"] = Response("One page of profiles.", Json, page),
                ["400"] = Response("A parameter is invalid (e.g. a malformed where); the error says which.", Json, error),
                ["401"] = Response("No or wrong credentials (wrong ones are answered after a delay that grows with the address's recent failures).", Json, error),
                ["403"] = Response("These credentials may not read the project named by project_id.", Json, error),
                ["429"] = RateLimited(Json, error, "Too many queries of this project at once (RateLimiting:QueryConcurrency) and the queue is full or the wait timed out."),
            },
        };
        if (withBody)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = "The same parameters as a form.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/x-www-form-urlencoded"] = new() { Schema = FormSchema(parameters) } },
            };
        }

        return operation;
    }

    private static OpenApiParameter QueryParameter(string name, string description, JsonSchemaType type, params string[] values) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema { Type = type, Enum = values.Length == 0 ? null : [.. values.Select(value => (JsonNode)JsonValue.Create(value))] },
    };

    private static OpenApiSchema FormSchema(params (string Name, string Description)[] fields) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = fields.ToDictionary(field => field.Name, field => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String, Description = field.Description }),
    };

    private static OpenApiResponse Response(string description, string contentType, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = schema } },
    };

    private static OpenApiResponse RateLimited(string contentType, IOpenApiSchema schema, string description)
    {
        var response = Response(description, contentType, schema);
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
        };
        return response;
    }
}
