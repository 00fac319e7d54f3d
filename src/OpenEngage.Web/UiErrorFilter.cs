using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Web;

/// <summary>
/// A page that fails (the store unreachable, say) answers 500 with a short page that says so,
/// rather than the empty answer ASP.NET Core gives in Production; the details go to the log.
/// </summary>
public sealed partial class UiErrorFilter(ILogger<UiErrorFilter> logger) : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Exception is OperationCanceledException && context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        LogPageFailed(logger, context.Exception, context.HttpContext.Request.Path);
        var time = WebUtility.HtmlEncode(DateTimeOffset.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        context.Result = new ContentResult
        {
            StatusCode = StatusCodes.Status500InternalServerError,
            ContentType = "text/html; charset=utf-8",
            Content = $"""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Error · OpenEngage</title><link rel="icon" href="data:,"><link rel="stylesheet" href="{UiAssets.Url("/ui/app.css")}"></head>
                <body><main id="main"><h1>This page could not be shown</h1>
                <p class="error" role="alert">The server could not read or write the profiles just now. Nothing was changed by this request unless the page said so.</p>
                <p>Try again in a moment; if it keeps failing, the server's log has the details (at {time}).</p>
                <p><a href="/">Back to the list</a></p></main></body></html>
                """,
        };
        context.ExceptionHandled = true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The page {Path} failed")]
    private static partial void LogPageFailed(ILogger logger, Exception error, string path);
}
