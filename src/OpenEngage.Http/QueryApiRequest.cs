using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Projects;

namespace OpenEngage.Http;

/// <summary>
/// Runs one request of the read APIs (the Query API, the history) and turns what goes wrong into
/// their JSON error answer <c>{"error":…,"status":"error"}</c>: a refused request with its status
/// (401 with a challenge, counted by the admission), a store that cannot be read 503 with
/// <c>Retry-After</c>, anything else 500 and a log entry. Never an empty 500.
/// </summary>
internal static partial class QueryApiRequest
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="context">The request.</param>
    /// <param name="answer">Answers it; throws <see cref="WireError"/> to refuse it.</param>
    /// <param name="what">What failed, for the 500's message and the log ("the query", "the history query").</param>
    /// <param name="category">The logger category.</param>
    public static async Task RunAsync(HttpContext context, Func<HttpContext, Task> answer, string what, Type category)
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

            await WriteErrorAsync(context.Response, error.StatusCode, error.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; no one to answer.
        }
        catch (Exception error) when (IsStoreUnavailable(error))
        {
            LogStoreUnavailable(Logger(context, category), what, error);
            context.Response.Headers.RetryAfter = "5";
            await WriteErrorAsync(context.Response, 503, "the profile store cannot be read right now; retry shortly");
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            LogFailure(Logger(context, category), what, error);
            await WriteErrorAsync(context.Response, 500, what + " failed on the server");
        }
    }

    /// <summary>
    /// The project a read API request asks about, and its parameters: the credentials first, from
    /// the headers (nothing of the body is read for a caller who may not ask), then the form, then
    /// <c>project_id</c> among the projects the credentials open.
    /// </summary>
    public static async Task<(ProjectOptions Project, Dictionary<string, string> Parameters)> AuthorizeAsync(HttpContext context)
    {
        var allowed = QueryAuthentication.AllowedProjects(context.Request, context.RequestServices.GetRequiredService<ProjectDirectory>());
        var parameters = await QueryForm.ReadAsync(context.Request, context.RequestAborted);
        return (QueryAuthentication.Select(allowed, parameters.GetValueOrDefault("project_id")), parameters);
    }

    /// <summary>Writes the JSON error answer with its length.</summary>
    public static Task WriteErrorAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteString("status", "error");
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }

    /// <summary>A failure of the store's connection or files, not of the request: 503, worth retrying.</summary>
    private static bool IsStoreUnavailable(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is DbException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static ILogger Logger(HttpContext context, Type category) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "{What} could not read the profile store")]
    private static partial void LogStoreUnavailable(ILogger logger, string what, Exception error);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "{What} failed")]
    private static partial void LogFailure(ILogger logger, string what, Exception error);
}
