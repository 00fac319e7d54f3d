using System.Text.Json.Serialization;

namespace OpenEngage.Http.Health;

/// <summary>The body of <c>GET /healthz</c>: the process is alive and answers.</summary>
public sealed record LivenessReport([property: JsonPropertyName("status")] string Status);
