using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>A record applied differently than it asked (e.g. a truncated string), in a <c>strict=1</c> answer.</summary>
public sealed record RecordWarningBody(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);
