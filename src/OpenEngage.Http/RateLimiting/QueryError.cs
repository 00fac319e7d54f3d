using System.Text.Json.Serialization;

namespace OpenEngage.Http.RateLimiting;

/// <summary>The Query API's error body: <c>{"error":"…","status":"error"}</c>.</summary>
public sealed record QueryError([property: JsonPropertyName("error")] string Error)
{
    [JsonPropertyName("status")]
    public string Status => "error";
}
