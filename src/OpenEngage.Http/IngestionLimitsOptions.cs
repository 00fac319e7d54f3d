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

    /// <summary>
    /// The most bytes all request bodies in flight may hold together: the bytes received while a body
    /// arrives, then its decoded form while it is parsed. A body that would go over waits up to
    /// <see cref="MaxBufferWaitMilliseconds"/> for room, then is refused with 503 and <c>Retry-After</c>.
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "{0} must be at least 1")]
    public long MaxBufferedBodyBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long a body waits for room in <see cref="MaxBufferedBodyBytes"/> before its 503.</summary>
    [Range(0, 60_000)]
    public int MaxBufferWaitMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The slowest a body may arrive, counted in decoded bytes (so empty deflate blocks count for
    /// nothing): at least this many bytes per second in every window of <see cref="BodyRateWindowSeconds"/>,
    /// else 408 and the connection is closed. 0 turns the floor off (Kestrel's own, on wire bytes, stays).
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "{0} must be 0 (off) or more")]
    public int MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The window of <see cref="MinBodyBytesPerSecond"/>, and the grace a body has to start.</summary>
    [Range(1, 3600)]
    public int BodyRateWindowSeconds { get; set; } = 5;
}
