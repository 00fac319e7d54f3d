namespace OpenEngage.Profiles;

/// <summary>
/// One validated update, addressed to its profile: what the ingestion pipeline (or an import, an
/// edit in the web page, a merge) hands to the store, built once with everything the store and the
/// history keep. Transport details of the wire (<c>$token</c>, <c>$ip</c>, <c>$ignore_alias</c>)
/// stay in <see cref="ParsedRecord"/>.
/// </summary>
public sealed record ProfileUpdate
{
    /// <summary>The profile the update applies to.</summary>
    public required ProfileKey Key { get; init; }

    /// <summary>The update's time: its <c>$time</c> if given, else when the server received it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>
    /// True when <see cref="Time"/> is the record's own <c>$time</c>; false when the record had none
    /// and took its arrival time. A record without <c>$time</c> is never late: it applies on top.
    /// </summary>
    public bool TimeFromRecord { get; init; } = true;

    /// <summary>When the server received the update; null means at <see cref="Time"/>.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>When the server received the update (<see cref="ReceivedAt"/>, else <see cref="Time"/>), Unix milliseconds.</summary>
    public long ReceivedMs => (ReceivedAt ?? Time).ToUnixTimeMilliseconds();

    /// <summary>Where the update came from (<c>engage</c>, <c>groups</c>, <c>import</c>, <c>cli-import</c>, <c>ui</c>, ...), kept in the change log and the history.</summary>
    public string Source { get; init; } = "engage";

    /// <summary>
    /// True when the update's project applies records in arrival order (<c>Projects:N:Ordering</c> =
    /// <c>arrival</c>); false (the default) applies them in <see cref="Time"/> order.
    /// </summary>
    public bool ArrivalOrder { get; init; }

    /// <summary>The name of the credential or token kind that sent the update (never a secret); empty when unknown.</summary>
    public string Credential { get; init; } = "";

    public bool IgnoreTime { get; init; }

    public required ProfileOperations Operations { get; init; }

    /// <summary>Location resolved from the IP by the pipeline; only for records with <c>$set</c>/<c>$set_once</c>.</summary>
    public GeoInfo? Geo { get; init; }

    /// <summary>Truncations made while reading the record.</summary>
    public IReadOnlyList<RecordWarning> Warnings { get; init; } = [];
}
