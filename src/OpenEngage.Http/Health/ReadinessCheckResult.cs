using System.Text.Json.Serialization;

namespace OpenEngage.Http.Health;

/// <summary>One check of <c>GET /readyz</c>: whether it passed, and what was found.</summary>
public sealed record ReadinessCheckResult(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("detail")] string Detail);
