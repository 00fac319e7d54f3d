using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>The shape of the ingestion answer with <c>verbose=1</c> (and of every ingestion error): <c>{"status":1,"error":null}</c>.</summary>
public sealed record IngestionStatusBody(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("error")] string? Error);
