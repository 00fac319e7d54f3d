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
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// <c>GET /api/query/history?distinct_id=ID[&amp;data_group_id=KEY][&amp;property=NAME][&amp;from=&amp;to=][&amp;page=&amp;page_size=]</c>:
/// who changed a profile's properties, when and from where, newest first (Query API
/// authentication). <c>from</c> / <c>to</c> bound the records' <c>$time</c>: Unix seconds or an
/// ISO 8601 date and time.
/// </summary>
public static partial class HistoryEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Registers what the history API and its retention need: the store's <see cref="IProfileHistory"/> and the purge.</summary>
    public static IServiceCollection AddHistoryApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => (IProfileHistory)provider.GetRequiredService<IProfileStore>());
        services.AddHostedService<HistoryPurgeService>();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", options => options.AddDocumentTransformer<ApiDocs.HistoryApiDescription>());
        return services;
    }

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/api/query/history", ["GET", "POST"], HandleAsync);
        return endpoints;
    }

    private static Task HandleAsync(HttpContext context) =>
        QueryApiRequest.RunAsync(context, AnswerAsync, "the history query", typeof(HistoryEndpoints));

    private static async Task AnswerAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var (project, parameters) = await QueryApiRequest.AuthorizeAsync(context);

        var history = services.GetRequiredService<IProfileHistory>();
        if (!history.History.Enabled)
        {
            throw new WireError(404, "property history is off on this server (History:RetentionDays is 0)");
        }

        var id = parameters.GetValueOrDefault("distinct_id");
        if (string.IsNullOrEmpty(id))
        {
            throw new WireError(400, "distinct_id is required");
        }

        var groupKey = parameters.GetValueOrDefault("data_group_id") ?? "";
        var property = parameters.GetValueOrDefault("property");
        var from = Time(parameters, "from");
        var to = Time(parameters, "to");
        if (from > to)
        {
            throw new WireError(400, "from is after to");
        }

        var page = Integer(parameters, "page", 0, 0, int.MaxValue);
        var pageSize = Integer(parameters, "page_size", DefaultPageSize, 1, MaxPageSize);

        using var turn = await QueryAdmission.AdmitAsync(context, project.EffectiveId);
        if (turn is null)
        {
            return;
        }

        var query = new HistoryQuery(new ProfileKey(project.EffectiveId, groupKey, id)) { FromMs = from, ToMs = to };
        var results = new List<(PropertyChange Change, HistoryRecord Record)>(pageSize);
        var skip = (long)page * pageSize;
        long total = 0;
        await foreach (var record in history.ReadHistoryAsync(query, context.RequestAborted))
        {
            foreach (var change in record.Diff.Properties)
            {
                if (property is not null && !string.Equals(change.Name, property, StringComparison.Ordinal))
                {
                    continue;
                }

                if (total >= skip && results.Count < pageSize)
                {
                    results.Add((change, record));
                }

                total++;
            }
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("status", "ok");
        writer.WriteNumber("page", page);
        writer.WriteNumber("page_size", pageSize);
        writer.WriteNumber("total", total);
        writer.WriteStartArray("results");
        foreach (var (change, record) in results)
        {
            writer.WriteStartObject();
            writer.WriteString("property", change.Name);
            WriteValue(writer, "old", change.Had, change.Old);
            WriteValue(writer, "new", change.Has, change.New);
            writer.WriteString("time", Iso(record.Time));
            writer.WriteString("received", Iso(record.Received));
            writer.WriteString("source", record.Source);
            writer.WriteString("credential", record.Credential);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>An absent value (the property did not exist) is written as null, like a null value.</summary>
    private static void WriteValue(Utf8JsonWriter writer, string name, bool present, System.Text.Json.Nodes.JsonNode? value)
    {
        writer.WritePropertyName(name);
        if (!present || value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time parameter in Unix ms: Unix seconds, or an ISO 8601 date and time (UTC unless it says otherwise).</summary>
    private static long? Time(Dictionary<string, string> parameters, string name)
    {
        if (parameters.GetValueOrDefault(name) is not { Length: > 0 } text)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 253_402_300_799)
        {
            return (long)(seconds * 1000);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw new WireError(400, $"{name} must be Unix seconds or an ISO 8601 date and time, not \"{text}\"");
    }

    private static int Integer(Dictionary<string, string> parameters, string name, int fallback, int min, int max)
    {
        if (parameters.GetValueOrDefault(name) is not { Length: > 0 } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new WireError(400, $"{name} must be a whole number from {min} to {max}");
    }

}
