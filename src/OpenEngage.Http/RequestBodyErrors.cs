using Microsoft.AspNetCore.Http;

namespace OpenEngage.Http;

/// <summary>
/// Kestrel's errors while a body is read that are the request's fault, as the 4xx they are. Kestrel
/// reports most framing errors as <see cref="BadHttpRequestException"/>, but a chunk size that
/// overflows as a plain <see cref="IOException"/> around an <see cref="OverflowException"/>.
/// </summary>
internal static class RequestBodyErrors
{
    /// <summary>The refusal <paramref name="error"/> stands for; null when it is not the request's fault (a reset connection).</summary>
    public static WireError? AsRefusal(Exception error) => error switch
    {
        BadHttpRequestException bad => new WireError(bad.StatusCode, $"malformed request body: {bad.Message}"),
        IOException { InnerException: OverflowException } => new WireError(400, $"malformed request body: {error.Message}"),
        _ => null,
    };
}
