using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Http.RateLimiting;

/// <summary>The Query API's side of the rate limits: concurrent queries per project, and slowed failed authentications.</summary>
public static class QueryAdmission
{
    private static readonly QueryConcurrencyLimiter Unlimited = new(Microsoft.Extensions.Options.Options.Create(new RateLimitingOptions { QueryConcurrency = 0 }));

    /// <summary>
    /// Waits for a turn of <paramref name="project"/>. Returns the turn, to dispose when the answer
    /// is written; or null, having answered 429 with <c>Retry-After</c>, when none came in time.
    /// </summary>
    public static async Task<IDisposable?> AdmitAsync(HttpContext context, string project)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limiter = context.RequestServices.GetService<QueryConcurrencyLimiter>() ?? Unlimited;
        var turn = await limiter.AcquireAsync(project, context.RequestAborted).ConfigureAwait(false);
        if (turn is not null)
        {
            return turn;
        }

        HttpMetrics.Refused(HttpMetrics.QueryConcurrencyLimit);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = "1";
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new QueryError(
            $"too many queries of project {project} at once (RateLimiting:QueryConcurrency); retry after 1 s"))).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Delays the answer to a request whose credentials were given but wrong, longer with each
    /// recent failure from the same address. A request without credentials is not delayed.
    /// </summary>
    public static async Task AuthenticationFailedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Headers.Authorization.Count == 0 || context.RequestServices.GetService<AuthenticationThrottle>() is not { } throttle)
        {
            return;
        }

        HttpMetrics.AuthenticationFailed();
        var address = context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.Connection.RemoteIpAddress;
        var delay = throttle.Failed(address ?? IPAddress.None);
        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        try
        {
            await Task.Delay(delay, time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client left; nothing to answer.
        }
    }
}
