using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>A refused record in a <c>strict=1</c> answer.</summary>
public sealed record FailedRecordBody(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("$distinct_id")] string? DistinctId,
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);
