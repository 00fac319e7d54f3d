using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// Mixpanel's Engage Query API (contract §9) on <c>/api/query/engage</c> and <c>/api/2.0/engage</c>:
/// lookup by <c>distinct_id</c> / <c>distinct_ids</c>, <c>where</c> filters, sorting, and paging
/// through a session's snapshot of the order.
/// </summary>
public static class QueryEndpoints
{
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapQuery(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var sessions = new QuerySessions(endpoints.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System);
        foreach (var path in new[] { "/api/query/engage", "/api/2.0/engage" })
        {
            endpoints.MapMethods(path, ["GET", "POST"], context => HandleAsync(context, sessions));
        }

        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, QuerySessions sessions)
    {
        var services = context.RequestServices;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(parameters, context.Request.Query);
        if (context.Request.HasFormContentType)
        {
            Collect(parameters, await context.Request.ReadFormAsync(context.RequestAborted));
        }

        ProjectOptions project;
        QueryRequest query;
        try
        {
            project = QueryAuthentication.Authenticate(context.Request, parameters.GetValueOrDefault("project_id"), services.GetRequiredService<ProjectDirectory>());
            query = QueryRequest.From(parameters);
            query = query with { Where = await CohortFilter.ApplyAsync(parameters.GetValueOrDefault("filter_by_cohort"), query.Where, project.EffectiveId, query.GroupKey, services.GetRequiredService<IProfileStore>(), context.RequestAborted) };
        }
        catch (WireError error)
        {
            if (error.StatusCode == 401)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenEngage\"";
            }

            await WriteErrorAsync(context.Response, error.StatusCode, error.Message);
            return;
        }

        var store = services.GetRequiredService<IProfileStore>();
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var projectId = project.EffectiveId;
        var profileQuery = new ProfileQuery(projectId, query.GroupKey)
        {
            Where = query.Where,
            DistinctIds = query.DistinctIds,
            SortKey = query.SortKey,
            Descending = query.Descending,
            Now = now,
        };

        // Every page of a session is cut from the ordered ids its first page saw. The first page
        // is answered from the count and its own window; the store finishes the ordered ids of
        // every match, from the same state, for the later pages.
        var fingerprint = Fingerprint(profileQuery);
        var session = sessions.Find(query.SessionId, fingerprint);
        IReadOnlyList<string> slice;
        long total;
        if (session is null)
        {
            var snapshot = await store.SnapshotIdsAsync(profileQuery with { Offset = query.Page * query.PageSize, Limit = query.PageSize }, context.RequestAborted);
            sessions.Remember(query.SessionId, fingerprint, snapshot.All, snapshot.Total);
            slice = snapshot.Window;
            total = snapshot.Total;
        }
        else
        {
            var ids = await session.WaitAsync(context.RequestAborted);
            slice = [.. ids.Skip(query.Page * query.PageSize).Take(query.PageSize)];
            total = ids.Count;
        }

        var profiles = new List<StoredProfile>(slice.Count);
        if (slice.Count > 0)
        {
            var found = await store.QueryAsync(new ProfileQuery(projectId, query.GroupKey) { DistinctIds = slice, Now = now }, context.RequestAborted);
            var byId = found.Profiles.ToDictionary(profile => profile.Key.Id, StringComparer.Ordinal);
            profiles.AddRange(slice.Where(byId.ContainsKey).Select(id => byId[id]));
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

    private static string Fingerprint(ProfileQuery query) => JsonSerializer.Serialize(new object?[]
    {
        query.Project, query.GroupKey, query.Where?.ToString(), query.DistinctIds, query.SortKey, query.Descending,
    });

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

    private sealed record QueryRequest(
        IReadOnlyList<string>? DistinctIds,
        WhereExpression? Where,
        string? SortKey,
        bool Descending,
        IReadOnlyList<string>? OutputProperties,
        string GroupKey,
        int Page,
        int PageSize,
        string SessionId)
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

            WhereExpression? where = null;
            if (parameters.TryGetValue("where", out var whereText) && !string.IsNullOrWhiteSpace(whereText)
                && !WhereExpression.TryParse(whereText, out where, out var whereError))
            {
                throw new WireError(400, whereError!.Message);
            }

            string? sortKey = null;
            if (parameters.TryGetValue("sort_key", out var sortText) && !string.IsNullOrWhiteSpace(sortText))
            {
                sortKey = WhereExpression.TryParse(sortText, out var sortExpression, out _) && sortExpression!.Root is PropertyAccess property
                    ? property.Name
                    : throw new WireError(400, "sort_key must name a property: properties[\"name\"]");
            }

            var descending = parameters.GetValueOrDefault("sort_order") switch
            {
                null or "" or "descending" => true,
                "ascending" => false,
                _ => throw new WireError(400, "sort_order must be ascending or descending"),
            };

            var page = Integer(parameters, "page", 0, 0, int.MaxValue / MaxPageSize);
            var pageSize = Integer(parameters, "page_size", MaxPageSize, 1, MaxPageSize);
            var output = parameters.TryGetValue("output_properties", out var names) && names.Length > 0 ? StringList(names, "output_properties") : null;
            var group = parameters.GetValueOrDefault("data_group_id") ?? "";
            var session = parameters.TryGetValue("session_id", out var given) && given.Length > 0 ? given : Guid.NewGuid().ToString("N");
            return new QueryRequest(ids, where, sortKey, descending, output, group, page, pageSize, session);
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
