using Microsoft.AspNetCore.Http;

namespace OpenEngage.Http;

/// <summary>
/// A URL fragment never reaches a server, but some clients percent-encode it into the path
/// (<c>/engage%23profile-set</c>). Drops everything from the <c>#</c> on.
/// </summary>
public sealed class PathFragmentMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        var hash = path?.IndexOf('#', StringComparison.Ordinal) ?? -1;
        if (hash >= 0)
        {
            context.Request.Path = new PathString(path![..hash]);
        }

        return next(context);
    }
}
