using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>The shape of an Engage Query API page.</summary>
public sealed record QueryResultBody(
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("page_size")] int PageSize,
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("results")] IReadOnlyList<QueryProfileBody> Results);
