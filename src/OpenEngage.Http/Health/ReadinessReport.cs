using System.Text.Json.Serialization;

namespace OpenEngage.Http.Health;

/// <summary>The body of <c>GET /readyz</c>: <c>ready</c> or <c>not ready</c>, and each check.</summary>
public sealed record ReadinessReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] IReadOnlyDictionary<string, ReadinessCheckResult> Checks)
{
    [JsonIgnore]
    public bool IsReady => Checks.Values.All(check => check.Ok);
}
