using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Projects;
using OpenEngage.Storage;

namespace OpenEngage.Http.Changes;

/// <summary>
/// <c>GET /api/changes</c>: the change feed of one project (Query API authentication), after an
/// opaque cursor, as JSON pages with long polling (<c>wait</c>) or, when the request accepts
/// <c>text/event-stream</c>, as server-sent events with the cursor as event id.
/// </summary>
public static partial class ChangeFeedEndpoints
{
    public const string Path = "/api/changes";
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxWaitSeconds = 60;

    /// <summary>How long an event stream waits for changes before it writes a keep-alive comment.</summary>
    private static readonly TimeSpan StreamKeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Leeway at the retention horizon: a change committed just after a cursor may have arrived a
    /// little before the cursor's time, so a cursor is refused this much before the horizon.
    /// </summary>
    private static readonly TimeSpan CursorMargin = TimeSpan.FromMinutes(1);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapOpenEngageChangeFeed(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Path, (Delegate)(Func<HttpContext, Task>)HandleAsync)
            .WithName("ChangeFeed")
            .WithSummary("The change feed (docs/changes.md): committed profile changes after the cursor 'after', in commit order, 'limit' (1-1000) at a time, waiting up to 'wait' seconds (0-60) for one; "
                + "'data_group_id' for group profiles. With Accept: text/event-stream, a stream of events whose id is the cursor (resumed with Last-Event-ID). "
                + "400 for a bad parameter, 401 without Query API credentials, 404 when History:RetentionDays is 0, 410 for a cursor older than the retention.")
            .Produces(StatusCodes.Status200OK, responseType: null, "application/json", "text/event-stream")
            .Produces(StatusCodes.Status400BadRequest, contentType: "application/json")
            .Produces(StatusCodes.Status401Unauthorized, contentType: "application/json")
            .Produces(StatusCodes.Status404NotFound, contentType: "application/json")
            .Produces(StatusCodes.Status410Gone, contentType: "application/json");
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        catch (WireError error) when (!context.Response.HasStarted)
        {
            if (error.StatusCode == 401)
            {
                await QueryAdmission.AuthenticationFailedAsync(context);
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenEngage\"";
            }

            await WriteErrorAsync(context.Response, error.StatusCode, error.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || Stopping(context).IsCancellationRequested)
        {
            // The client went away, or the server is stopping: an event stream simply ends.
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            LogFeedFailure(Logger(context), error);
            context.Response.Headers.RetryAfter = "5";
            await WriteErrorAsync(context.Response, 503, "the change feed cannot be read right now; retry shortly");
        }
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var allowed = QueryAuthentication.AllowedProjects(context.Request, services.GetRequiredService<ProjectDirectory>());
        var parameters = context.Request.Query;
        var project = QueryAuthentication.Select(allowed, Single(parameters, "project_id"));

        var retention = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        if (!retention.Enabled || services.GetRequiredService<IProfileStore>() is not IChangeFeed feed)
        {
            throw new WireError(404, "the change feed is off: History:RetentionDays is 0, so no change is recorded");
        }

        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var stream = AcceptsEventStream(context.Request);
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var after = ReadCursor(stream && lastEventId.Length > 0 ? lastEventId : Single(parameters, "after"), stream && lastEventId.Length > 0 ? "Last-Event-ID" : "after", retention, time);
        var limit = Integer(parameters, "limit", DefaultLimit, 1, MaxLimit);
        var wait = Integer(parameters, "wait", 0, 0, MaxWaitSeconds);
        var groupKey = Single(parameters, "data_group_id") ?? "";

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Stopping(context));
        if (stream)
        {
            await StreamAsync(context, feed, new ChangeFeedQuery(project.EffectiveId, groupKey, after.Position, limit), time, stopping.Token);
            return;
        }

        var page = await feed.ReadChangesAsync(new ChangeFeedQuery(project.EffectiveId, groupKey, after.Position, limit), TimeSpan.FromSeconds(wait), stopping.Token);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("changes");
        foreach (var change in page.Changes)
        {
            ChangeJson.Write(writer, change, new ChangeCursor(change.Position, change.Received).ToString());
        }

        writer.WriteEndArray();
        writer.WriteString("next", NextCursor(page, time).ToString());
        writer.WriteEndObject();
    }

    /// <summary>
    /// Server-sent events until the client leaves or the server stops: each change is an event
    /// <c>change</c> whose id is its cursor (so a reconnecting client resumes with Last-Event-ID),
    /// and a comment line keeps the connection alive while nothing changes.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, IChangeFeed feed, ChangeFeedQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.WriteAsync("retry: 2000\n\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);

        var buffer = new MemoryStream();
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await feed.ReadChangesAsync(query, StreamKeepAlive, cancellationToken);
            buffer.SetLength(0);
            if (page.Changes.Count == 0)
            {
                buffer.Write(": keep-alive\n\n"u8);
            }

            foreach (var change in page.Changes)
            {
                var cursor = new ChangeCursor(change.Position, change.Received).ToString();
                buffer.Write(Encoding.ASCII.GetBytes($"id: {cursor}\nevent: change\ndata: "));
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    ChangeJson.Write(writer, change, cursor);
                }

                buffer.Write("\n\n"u8);
            }

            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            query = query with { After = page.Next };
        }
    }

    /// <summary>
    /// The cursor to continue from: the last change's, or, when the page is empty (the reader has
    /// caught up), the same position stamped with the current time.
    /// </summary>
    private static ChangeCursor NextCursor(ChangePage page, TimeProvider time) =>
        page.Changes.Count > 0
            ? new ChangeCursor(page.Next, page.Changes[^1].Received)
            : new ChangeCursor(page.Next, time.GetUtcNow().ToUnixTimeMilliseconds());

    private static ChangeCursor ReadCursor(string? text, string name, HistoryOptions retention, TimeProvider time)
    {
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        if (!ChangeCursor.TryParse(text, out var cursor))
        {
            throw new WireError(400, $"{name} is not a cursor of this change feed: pass the \"cursor\" of a change or the \"next\" of a page, or leave it out to start from the oldest change kept");
        }

        var horizon = time.GetUtcNow() - TimeSpan.FromDays(retention.RetentionDays) + CursorMargin;
        if (cursor.Time < horizon.ToUnixTimeMilliseconds())
        {
            throw new WireError(410, $"{name} is older than the change log keeps (History:RetentionDays = {retention.RetentionDays}): changes after it may have been purged; start again without a cursor (from the oldest change kept)");
        }

        return cursor;
    }

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(value => value is not null && value.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private static string? Single(IQueryCollection parameters, string name)
    {
        if (!parameters.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        return values.Count == 1 ? values[0] : throw new WireError(400, $"{name} is given more than once");
    }

    private static int Integer(IQueryCollection parameters, string name, int fallback, int min, int max)
    {
        var text = Single(parameters, name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new WireError(400, $"{name} must be an integer from {min} to {max}");
    }

    private static CancellationToken Stopping(HttpContext context) =>
        context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChangeFeedEndpoints));

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Reading the change feed failed")]
    private static partial void LogFeedFailure(ILogger logger, Exception error);

    private static Task WriteErrorAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        var body = JsonSerializer.SerializeToUtf8Bytes(new QueryError(message));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
