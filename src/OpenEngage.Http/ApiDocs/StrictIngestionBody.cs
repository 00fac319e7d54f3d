using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>The shape of the ingestion answer with <c>strict=1</c>: what became of each record.</summary>
public sealed record StrictIngestionBody(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("num_records_imported")] int NumRecordsImported,
    [property: JsonPropertyName("failed_records")] IReadOnlyList<FailedRecordBody> FailedRecords,
    [property: JsonPropertyName("warnings")] IReadOnlyList<RecordWarningBody> Warnings,
    [property: JsonPropertyName("error")] string? Error);
