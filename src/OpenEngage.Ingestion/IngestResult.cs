namespace OpenEngage.Ingestion;

/// <summary>A refused record: its position in the batch, its id when known, the field at fault and why.</summary>
public sealed record FailedRecord(int Index, string? DistinctId, string Field, string Message);

/// <summary>Something applied differently than record <see cref="Index"/> asked.</summary>
public sealed record RecordNotice(int Index, string Field, string Message);

/// <summary>What became of a batch: how many records were applied, which failed, and the warnings.</summary>
public sealed record IngestResult(int Applied, IReadOnlyList<FailedRecord> Failed, IReadOnlyList<RecordNotice> Warnings)
{
    public int Total => Applied + Failed.Count;
}
