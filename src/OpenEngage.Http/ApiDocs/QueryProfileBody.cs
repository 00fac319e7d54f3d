using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OpenEngage.Http.ApiDocs;

/// <summary>One profile of a query page: its id and its properties (all, or the <c>output_properties</c> asked for).</summary>
public sealed record QueryProfileBody(
    [property: JsonPropertyName("$distinct_id")] string DistinctId,
    [property: JsonPropertyName("$properties")] JsonObject Properties);
