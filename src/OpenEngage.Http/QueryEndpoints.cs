using System.Data.Common;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Querying;
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// Mixpanel's Engage Query API (contract §9) on <c>/api/query/engage</c> and <c>/api/2.0/engage</c>:
/// lookup by <c>distinct_id</c> / <c>distinct_ids</c>, <c>where</c> filters, sorting, and paging
/// through a session's snapshot of the order. The endpoint parses, authenticates and writes the
/// answer; <see cref="ProfileQueryService"/> answers the page.
/// </summary>
public static partial class QueryEndpoints
{
    public const int MaxPageSize = ProfileQueryService.MaxPageSize;

    /// <summary>Answers are UTF-8 JSON with an <c>application/json</c> content type: only what JSON itself needs is escaped.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapQuery(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var path in new[] { "/api/query/engage", "/api/2.0/engage" })
        {
            endpoints.MapMethods(path, ["GET", "POST"], HandleAsync);
        }

        return endpoints;
    }

    private static Task HandleAsync(HttpContext context) =>
        QueryApiRequest.RunAsync(context, AnswerAsync, "the query", typeof(QueryEndpoints));

    private static async Task AnswerAsync(HttpContext context)
    {
        var services = context.RequestServices;

        var (project, parameters) = await QueryApiRequest.AuthorizeAsync(context);
        UnsupportedQueryParameters.Refuse(parameters);
        var query = QueryRequest.From(parameters);
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var asOfQueries = services.GetRequiredService<AsOfQueryService>();
        var asOf = AsOfTimestamp.Read(parameters, now, asOfQueries.OldestReachable(now));
        query = query with { Where = await CohortFilter.ApplyAsync(parameters.GetValueOrDefault("filter_by_cohort"), query.Where, project.EffectiveId, query.GroupKey, services.GetRequiredService<IProfileStore>(), context.RequestAborted) };

        using var turn = await QueryAdmission.AdmitAsync(context, project.EffectiveId);
        if (turn is null)
        {
            return;
        }

        var profileQuery = new ProfileQuery(project.EffectiveId, query.GroupKey)
        {
            Where = query.Where,
            DistinctIds = await Identity.IdentityQueryIds.ResolveAsync(services, project.EffectiveId, query.GroupKey, query.DistinctIds, context.RequestAborted),
            SortKey = query.SortKey,
            Descending = query.Descending,
            Now = now,
        };
        var answer = asOf is { } at
            ? await asOfQueries.PageAsync(profileQuery, at, query.Page, query.PageSize, context.RequestAborted)
            : await services.GetRequiredService<ProfileQueryService>().PageAsync(profileQuery, new QueryPaging(query.SessionId, query.Page, query.PageSize), context.RequestAborted);

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("page", query.Page);
        writer.WriteNumber("page_size", answer.PageSize);
        writer.WriteString("session_id", query.SessionId);
        writer.WriteString("status", "ok");
        writer.WriteNumber("total", answer.Total);
        writer.WriteStartArray("results");
        foreach (var profile in answer.Profiles)
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

    private sealed record QueryRequest(
        IReadOnlyList<string>? DistinctIds,
        WhereExpression? Where,
        string? SortKey,
        bool Descending,
        IReadOnlyList<string>? OutputProperties,
        string GroupKey,
        int Page,
        int? PageSize,
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
            if (parameters.TryGetValue("where", out var whereText) && !string.IsNullOrWhiteSpace(whereText))
            {
                QueryWhereBounds.CheckText("where", whereText);
                if (!WhereExpression.TryParse(whereText, out where, out var whereError))
                {
                    throw new WireError(400, whereError!.Message);
                }

                QueryWhereBounds.CheckTree("where", where!);
            }

            string? sortKey = null;
            if (parameters.TryGetValue("sort_key", out var sortText) && !string.IsNullOrWhiteSpace(sortText))
            {
                QueryWhereBounds.CheckText("sort_key", sortText);
                sortKey = WhereExpression.TryParse(sortText, out var sortExpression, out _) && sortExpression!.Root is PropertyAccess property
                    ? property.Name
                    : throw new WireError(400, "sort_key must name a property: properties[\"name\"]");
                QueryWhereBounds.CheckTree("sort_key", sortExpression);
            }

            var descending = parameters.GetValueOrDefault("sort_order") switch
            {
                null or "" or "descending" => true,
                "ascending" => false,
                _ => throw new WireError(400, "sort_order must be ascending or descending"),
            };

            var page = Integer(parameters, "page", 0, 0, int.MaxValue / MaxPageSize);
            int? pageSize = parameters.TryGetValue("page_size", out var sizeText) && sizeText.Length > 0 ? Integer(parameters, "page_size", MaxPageSize, 1, MaxPageSize) : null;
            var output = parameters.TryGetValue("output_properties", out var names) && names.Length > 0
                ? StringList(names, "output_properties").Distinct(StringComparer.Ordinal).ToList()
                : null;
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
                    JsonValueKind.String => Checked(item.GetString()!, name),
                    JsonValueKind.Number => RecordReader.NumberToId(item),
                    _ => throw new WireError(400, $"{name} must be a JSON array of strings"),
                })];
            }
            catch (JsonException)
            {
                throw new WireError(400, $"{name} must be a JSON array of strings");
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json refuses to decode an escaped lone surrogate.
                throw new WireError(400, $"{name} contains a lone surrogate (an unpaired \\uD800-\\uDFFF escape)");
            }
        }

        /// <summary>A string of a list that no profile could hold is refused: a NUL character, or a lone surrogate.</summary>
        private static string Checked(string value, string name)
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new WireError(400, $"{name} contains a NUL character (\\u0000)");
            }

            for (var i = 0; i < value.Length; i++)
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(value[i]))
                {
                    throw new WireError(400, $"{name} contains a lone surrogate (an unpaired \\uD800-\\uDFFF escape)");
                }
            }

            return value;
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
