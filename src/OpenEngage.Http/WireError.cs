namespace OpenEngage.Http;

/// <summary>A request refused as a whole: HTTP status and the message for <c>{"status":0,"error":…}</c>.</summary>
public sealed class WireError(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
