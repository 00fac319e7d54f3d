using System.Text.Json.Nodes;

namespace OpenEngage.Web;

/// <summary>A value and the number of profiles holding it.</summary>
public sealed record PropertyValueCount(JsonNode? Value, long Profiles);
