using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>
/// An applied update as the record log keeps it, so it can be applied again when a late record
/// lands before it: its operations (each a list of <c>[name, value]</c> pairs, in order), its time
/// (Unix ms), <c>$ignore_time</c> and the geolocation it was given. The profile it addresses, its
/// arrival, source and credential are kept beside it, not in it.
/// </summary>
public static class ProfileUpdateJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static Utf8JsonScratch? t_scratch;

    public static string Serialize(ProfileUpdate update) => Encoding.UTF8.GetString(SerializeToUtf8(update));

    /// <summary>What <see cref="Serialize"/> returns, as UTF-8.</summary>
    public static byte[] SerializeToUtf8(ProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(update, Write);
    }

    /// <summary>What <see cref="Serialize"/> returns, as UTF-8 in <paramref name="arena"/>.</summary>
    public static ReadOnlyMemory<byte> SerializeToUtf8(ProfileUpdate update, Utf8TextArena arena)
    {
        ArgumentNullException.ThrowIfNull(update);
        return (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(update, Write, arena);
    }

    private static void Write(Utf8JsonWriter writer, ProfileUpdate update)
    {
        writer.WriteStartObject();
        writer.WriteNumber("time", update.Time.ToUnixTimeMilliseconds());
        if (update.IgnoreTime)
        {
            writer.WriteBoolean("ignore_time", true);
        }

        var operations = update.Operations;
        if (operations.Delete)
        {
            writer.WriteBoolean("$delete", true);
        }

        Pairs(writer, "$set", operations.Set, static (w, v) => Node(w, v));
        Pairs(writer, "$set_once", operations.SetOnce, static (w, v) => Node(w, v));
        Pairs(writer, "$add", operations.Add, static (w, v) => w.WriteNumberValue(v));
        Pairs(writer, "$union", operations.Union, static (w, v) => v.WriteTo(w));
        Pairs(writer, "$append", operations.Append, static (w, v) => Node(w, v));
        Pairs(writer, "$remove", operations.Remove, static (w, v) => Node(w, v));
        if (operations.Unset is { } unset)
        {
            writer.WriteStartArray("$unset");
            foreach (var name in unset)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        if (operations.SetsProperties && update.Geo is { } geo)
        {
            writer.WriteStartObject("geo");
            foreach (var (name, value) in geo.Properties())
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads back what <see cref="Serialize"/> wrote, as an update of <paramref name="key"/>.</summary>
    public static ProfileUpdate Deserialize(string json, ProfileKey key)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("A logged record is not a JSON object.");
        GeoInfo? geo = null;
        if (root["geo"] is JsonObject g)
        {
            geo = new GeoInfo(Text(g, "$city"), Text(g, "$region"), Text(g, "$country_code"), Text(g, "$timezone"));
        }

        return new ProfileUpdate
        {
            Key = key,
            Time = DateTimeOffset.FromUnixTimeMilliseconds(root["time"]!.GetValue<long>()),
            IgnoreTime = root["ignore_time"] is not null,
            Operations = new ProfileOperations
            {
                Delete = root["$delete"] is not null,
                Set = ReadPairs(root, "$set", static v => v?.DeepClone()),
                SetOnce = ReadPairs(root, "$set_once", static v => v?.DeepClone()),
                Add = ReadPairs(root, "$add", static v => v!.GetValue<decimal>()),
                Union = ReadPairs(root, "$union", static v => (JsonArray)v!.DeepClone()),
                Append = ReadPairs(root, "$append", static v => v?.DeepClone()),
                Remove = ReadPairs(root, "$remove", static v => v?.DeepClone()),
                Unset = root["$unset"] is JsonArray names ? [.. names.Select(n => n!.GetValue<string>())] : null,
            },
            Geo = geo,
        };
    }

    private static string? Text(JsonObject o, string name) => o[name]?.GetValue<string>();

    private static void Node(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    private static void Pairs<T>(Utf8JsonWriter writer, string name, IReadOnlyList<KeyValuePair<string, T>>? pairs, Action<Utf8JsonWriter, T> value)
    {
        if (pairs is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var pair in pairs)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(pair.Key);
            value(writer, pair.Value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static IReadOnlyList<KeyValuePair<string, T>>? ReadPairs<T>(JsonObject root, string name, Func<JsonNode?, T> value) =>
        root[name] is JsonArray pairs
            ? [.. pairs.Select(p => new KeyValuePair<string, T>(p![0]!.GetValue<string>(), value(p[1])))]
            : null;
}
