using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>How every backend stores a profile's properties: one JSON object as text.</summary>
public static class StoredProperties
{
    /// <summary>
    /// Stored text is read back only as JSON, never embedded in HTML: non-ASCII stays as it is.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The writer settings <see cref="JsonNode.ToJsonString"/> derives from <see cref="Json"/>
    /// (the same encoder, no indentation, the serializer's effective depth limit of 64).
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = Json.Encoder,
        Indented = Json.WriteIndented,
        MaxDepth = Json.MaxDepth == 0 ? 64 : Json.MaxDepth,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Utf8JsonScratch? t_scratch;

    /// <summary>The stored text of a profile's properties.</summary>
    public static string Serialize(JsonNode properties) => Encoding.UTF8.GetString(SerializeToUtf8(properties));

    /// <summary>The stored text of a profile's properties as UTF-8: what <see cref="Serialize"/> returns, encoded.</summary>
    public static byte[] SerializeToUtf8(JsonNode properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(properties, static (writer, node) => node.WriteTo(writer, Json));
    }

    /// <summary>What <see cref="SerializeToUtf8(JsonNode)"/> returns, in <paramref name="arena"/>.</summary>
    public static ReadOnlyMemory<byte> SerializeToUtf8(JsonNode properties, Utf8TextArena arena)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(properties, static (writer, node) => node.WriteTo(writer, Json), arena);
    }

    public static JsonObject Parse(string json) =>
        JsonNode.Parse(json) as JsonObject
        ?? throw new InvalidDataException("A stored profile's properties are not a JSON object.");
}
