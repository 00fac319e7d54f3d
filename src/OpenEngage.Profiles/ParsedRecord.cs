namespace OpenEngage.Profiles;

/// <summary>
/// One record as <see cref="RecordReader"/> read and validated it, before the ingestion pipeline
/// knows its project: the wire's addressing (<c>$token</c>, <c>$distinct_id</c> or the group's key
/// and id), its transport details (<c>$ip</c>, <c>$ignore_alias</c>) and the operations it asks for.
/// The pipeline turns it into a <see cref="ProfileUpdate"/>, addressed by a <see cref="ProfileKey"/>;
/// the transport details go no further.
/// </summary>
public sealed record ParsedRecord
{
    public required string Token { get; init; }

    /// <summary>The user's distinct id, or the group id of a group record.</summary>
    public required string DistinctId { get; init; }

    /// <summary>Empty for user records; the <c>$group_key</c> of a group record.</summary>
    public string GroupKey { get; init; } = "";

    /// <summary>The record's time: its <c>$time</c> if given, else when the server received it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>True when <see cref="Time"/> is the record's own <c>$time</c>.</summary>
    public bool TimeFromRecord { get; init; } = true;

    public bool IgnoreTime { get; init; }

    /// <summary>The record's own <c>$ip</c>; null when absent.</summary>
    public string? Ip { get; init; }

    /// <summary>True when the record's <c>$ip</c> is <c>"0"</c> / <c>0</c>: no geolocation for it.</summary>
    public bool IpDisabled { get; init; }

    /// <summary><c>$ignore_alias</c>: the record addresses its own id, not its identity cluster's canonical id.</summary>
    public bool IgnoreAlias { get; init; }

    public required ProfileOperations Operations { get; init; }

    /// <summary>Truncations made while reading the record.</summary>
    public IReadOnlyList<RecordWarning> Warnings { get; init; } = [];
}
