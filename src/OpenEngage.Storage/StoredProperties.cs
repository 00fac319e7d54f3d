using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Storage;

/// <summary>How every backend stores a profile's properties: one JSON object as text.</summary>
public static class StoredProperties
{
    /// <summary>
    /// Stored text is read back only as JSON, never embedded in HTML: non-ASCII stays as it is.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode properties) => properties.ToJsonString(Json);

    public static JsonObject Parse(string json) =>
        JsonNode.Parse(json) as JsonObject
        ?? throw new InvalidDataException("A stored profile's properties are not a JSON object.");
}
