using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// Mixpanel's Engage Query API (contract §9) on <c>/api/query/engage</c> and <c>/api/2.0/engage</c>:
/// lookup by <c>distinct_id</c> / <c>distinct_ids</c>, or a page of all profiles.
/// </summary>
public static class QueryEndpoints
{
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapQuery(this IEndpointRouteBuilder endpoints)
    {
        foreach (var path in new[] { "/api/query/engage", "/api/2.0/engage" })
        {
            endpoints.MapMethods(path, ["GET", "POST"], HandleAsync);
        }

        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var project = Authenticate(context.Request, services.GetRequiredService<ProjectDirectory>());
        if (project is null)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenEngage\"";
            await WriteErrorAsync(context.Response, 401, "authentication required: HTTP Basic with the project's API secret as user name and an empty password");
            return;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(parameters, context.Request.Query);
        if (context.Request.HasFormContentType)
        {
            Collect(parameters, await context.Request.ReadFormAsync(context.RequestAborted));
        }

        QueryRequest query;
        try
        {
            query = QueryRequest.From(parameters);
        }
        catch (WireError error)
        {
            await WriteErrorAsync(context.Response, error.StatusCode, error.Message);
            return;
        }

        var store = services.GetRequiredService<IProfileStore>();
        var projectId = project.EffectiveId;
        IReadOnlyList<StoredProfile> profiles;
        long total;
        if (query.DistinctIds is { } ids)
        {
            var found = new List<StoredProfile>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (await store.GetAsync(new ProfileKey(projectId, query.GroupKey, id), context.RequestAborted) is { } profile)
                {
                    found.Add(profile);
                }
            }

            total = found.Count;
            profiles = [.. found.Skip(query.Page * query.PageSize).Take(query.PageSize)];
        }
        else
        {
            var page = await store.ListAsync(new ProfileListRequest(projectId, query.GroupKey, query.Page * query.PageSize, query.PageSize), context.RequestAborted);
            profiles = page.Profiles;
            total = page.Total;
        }

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteNumber("page", query.Page);
        writer.WriteNumber("page_size", query.PageSize);
        writer.WriteString("session_id", query.SessionId);
        writer.WriteString("status", "ok");
        writer.WriteNumber("total", total);
        writer.WriteStartArray("results");
        foreach (var profile in profiles)
        {
            writer.WriteStartObject();
            writer.WriteString("$distinct_id", profile.Key.Id);
            writer.WritePropertyName("$properties");
            WriteProperties(writer, profile, query.OutputProperties);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteProperties(Utf8JsonWriter writer, StoredProfile profile, IReadOnlyList<string>? outputProperties)
    {
        if (outputProperties is null)
        {
            profile.Properties.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var name in outputProperties)
        {
            if (profile.Properties.TryGetPropertyValue(name, out var value))
            {
                writer.WritePropertyName(name);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>HTTP Basic with the project's API secret as user name and an empty password.</summary>
    private static ProjectOptions? Authenticate(HttpRequest request, ProjectDirectory projects)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? credentials : credentials[..colon];
        var password = colon < 0 ? "" : credentials[(colon + 1)..];
        return password.Length == 0 && user.Length > 0 ? projects.FindBySecret(user) : null;
    }

    private static void Collect(Dictionary<string, string> into, IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        foreach (var (name, value) in values)
        {
            into[name] = value.ToString();
        }
    }

    private static Task WriteErrorAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteString("status", "error");
            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    private sealed record QueryRequest(IReadOnlyList<string>? DistinctIds, IReadOnlyList<string>? OutputProperties, string GroupKey, int Page, int PageSize, string SessionId)
    {
        public static QueryRequest From(Dictionary<string, string> parameters)
        {
            IReadOnlyList<string>? ids = null;
            if (parameters.TryGetValue("distinct_ids", out var list) && list.Length > 0)
            {
                ids = StringList(list, "distinct_ids");
            }
            else if (parameters.TryGetValue("distinct_id", out var one) && one.Length > 0)
            {
                ids = [one];
            }

            if (parameters.TryGetValue("where", out var where) && !string.IsNullOrWhiteSpace(where))
            {
                throw new WireError(400, "the where parameter is not supported by this server version yet");
            }

            var page = Integer(parameters, "page", 0, 0, int.MaxValue / MaxPageSize);
            var pageSize = Integer(parameters, "page_size", MaxPageSize, 1, MaxPageSize);
            var output = parameters.TryGetValue("output_properties", out var names) && names.Length > 0 ? StringList(names, "output_properties") : null;
            var group = parameters.GetValueOrDefault("data_group_id") ?? "";
            var session = parameters.TryGetValue("session_id", out var given) && given.Length > 0 ? given : Guid.NewGuid().ToString("N");
            return new QueryRequest(ids, output, group, page, pageSize, session);
        }

        private static List<string> StringList(string json, string name)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw new WireError(400, $"{name} must be a JSON array of strings");
                }

                return [.. document.RootElement.EnumerateArray().Select(item => item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString()!,
                    JsonValueKind.Number => RecordReader.NumberToId(item),
                    _ => throw new WireError(400, $"{name} must be a JSON array of strings"),
                })];
            }
            catch (JsonException)
            {
                throw new WireError(400, $"{name} must be a JSON array of strings");
            }
        }

        private static int Integer(Dictionary<string, string> parameters, string name, int fallback, int min, int max)
        {
            if (!parameters.TryGetValue(name, out var text) || text.Length == 0)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw new WireError(400, $"{name} must be an integer from {min} to {max}");
            }

            return value;
        }
    }
}
