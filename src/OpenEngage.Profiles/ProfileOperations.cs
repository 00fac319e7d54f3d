using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>
/// What a record asks of its profile. The engine applies the operations in the fixed order of the
/// properties below: <c>$set</c>, <c>$set_once</c>, <c>$add</c>, <c>$union</c>, <c>$append</c>,
/// <c>$remove</c>, <c>$unset</c>. <c>$delete</c> never comes with another operation.
/// </summary>
public sealed record ProfileOperations
{
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Set { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? SetOnce { get; init; }
    public IReadOnlyList<KeyValuePair<string, decimal>>? Add { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonArray>>? Union { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Append { get; init; }
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Remove { get; init; }
    public IReadOnlyList<string>? Unset { get; init; }
    public bool Delete { get; init; }

    /// <summary>True for operations that create a missing profile.</summary>
    public bool CreatesProfile => Set is not null || SetOnce is not null || Add is not null || Union is not null || Append is not null;

    /// <summary>True when the operations set properties, the only records that receive geolocation.</summary>
    public bool SetsProperties => Set is not null || SetOnce is not null;
}
