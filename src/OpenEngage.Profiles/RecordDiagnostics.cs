namespace OpenEngage.Profiles;

/// <summary>Why a record was refused. <see cref="Field"/> names the part at fault, e.g. <c>$add.credits</c>.</summary>
public sealed record RecordError(string Field, string Message);

/// <summary>Something applied differently than the record asked (a truncation, a skipped key).</summary>
public sealed record RecordWarning(string Field, string Message);
