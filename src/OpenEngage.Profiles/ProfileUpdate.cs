using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>Which kind of profile a record addresses: <c>/engage</c> (users) or <c>/groups</c>.</summary>
public enum ProfileKind
{
    User,
    Group,
}

/// <summary>
/// One validated update record. Operations are applied in the fixed order of the properties below:
/// <c>$set</c>, <c>$set_once</c>, <c>$add</c>, <c>$union</c>, <c>$append</c>, <c>$remove</c>, <c>$unset</c>.
/// <c>$delete</c> never comes with another operation.
/// </summary>
public sealed record ProfileUpdate
{
    public required string Token { get; init; }

    /// <summary>The user's distinct id, or the group id of a group record.</summary>
    public required string DistinctId { get; init; }

    /// <summary>Empty for user records; the <c>$group_key</c> of a group record.</summary>
    public string GroupKey { get; init; } = "";

    /// <summary>The project the token resolves to; set by the ingestion pipeline before storing.</summary>
    public string? Project { get; init; }

    /// <summary>The update's time: its <c>$time</c> if given, else when the server received it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>
    /// True when <see cref="Time"/> is the record's own <c>$time</c>; false when the record had none
    /// and took its arrival time. A record without <c>$time</c> is never late: it applies on top.
    /// </summary>
    public bool TimeFromRecord { get; init; } = true;

    /// <summary>When the server received the update; null means at <see cref="Time"/>.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>Where the update came from (<c>engage</c>, <c>groups</c>, <c>import</c>, <c>cli-import</c>, <c>ui</c>, ...), kept in the change log and the history.</summary>
    public string Source { get; init; } = "engage";

    /// <summary>
    /// True when the update's project applies records in arrival order (<c>Projects:N:Ordering</c> =
    /// <c>arrival</c>); false (the default) applies them in <see cref="Time"/> order.
    /// </summary>
    public bool ArrivalOrder { get; init; }

    /// <summary>The name of the credential or token kind that sent the update (never a secret); empty when unknown.</summary>
    public string Credential { get; init; } = "";

    /// <summary>The record's own <c>$ip</c>; null when absent.</summary>
    public string? Ip { get; init; }

    /// <summary>True when the record's <c>$ip</c> is <c>"0"</c> / <c>0</c>: no geolocation for it.</summary>
    public bool IpDisabled { get; init; }

    public bool IgnoreTime { get; init; }
    public bool IgnoreAlias { get; init; }

    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Set { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? SetOnce { get; init; }
    public IReadOnlyList<KeyValuePair<string, decimal>>? Add { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonArray>>? Union { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Append { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Remove { get; init; }
    public IReadOnlyList<string>? Unset { get; init; }
    public bool Delete { get; init; }

    /// <summary>Location resolved from the IP by the pipeline; only for records with <c>$set</c>/<c>$set_once</c>.</summary>
    public GeoInfo? Geo { get; init; }

    /// <summary>Truncations made while reading the record.</summary>
    public IReadOnlyList<RecordWarning> Warnings { get; init; } = [];

    public ProfileKey Key => new(Project ?? throw new InvalidOperationException("The update has no project yet."), GroupKey, DistinctId);

    /// <summary>True for records whose operations create a missing profile.</summary>
    public bool CreatesProfile => Set is not null || SetOnce is not null || Add is not null || Union is not null || Append is not null;

    /// <summary>True when the record sets properties, the only records that receive geolocation.</summary>
    public bool SetsProperties => Set is not null || SetOnce is not null;
}

/// <summary>Geolocation of an IP address; any part may be unknown.</summary>
public sealed record GeoInfo(string? City, string? Region, string? CountryCode, string? TimeZone)
{
    public IEnumerable<KeyValuePair<string, string>> Properties()
    {
        if (City is not null) yield return new("$city", City);
        if (Region is not null) yield return new("$region", Region);
        if (CountryCode is not null) yield return new("$country_code", CountryCode);
        if (TimeZone is not null) yield return new("$timezone", TimeZone);
    }
}
