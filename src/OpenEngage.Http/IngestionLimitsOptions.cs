using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http;

/// <summary>Request limits of the ingestion endpoints (contract §1), configuration section <c>Ingestion</c>.</summary>
public sealed class IngestionLimitsOptions
{
    public const string Section = "Ingestion";

    /// <summary>More records in one request: 400, nothing applied.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Ingestion:MaxRecordsPerRequest must be between {1} and {2}.")]
    public int MaxRecordsPerRequest { get; set; } = 2000;

    /// <summary>A larger record (its JSON text): 413, nothing applied.</summary>
    [Range(64, 512 * 1024 * 1024, ErrorMessage = "Ingestion:MaxRecordBytes must be between {1} and {2}.")]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>A larger body after Content-Encoding is undone: 413, nothing applied.</summary>
    [Range(64, int.MaxValue, ErrorMessage = "Ingestion:MaxBodyBytes must be between {1} and {2}.")]
    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;
}
