using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Storage;

/// <summary>
/// A <see cref="ProfileChange"/> as the stores write it: the change log's <c>changed</c> (new
/// values) and <c>removed</c> (names), and the history's <c>changes</c>
/// (<c>{name: {"old": v, "new": v}}</c>, where a missing <c>old</c> or <c>new</c> means the property
/// was absent).
/// </summary>
public readonly record struct ProfileChangeText(string Kind, string Changed, string Removed, string History)
{
    public const string Upsert = "upsert";
    public const string Delete = "delete";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compares the states before and after the change, property by property.</summary>
    public static ProfileChangeText From(ProfileChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var before = change.Before;
        var after = change.After;
        var history = new ArrayBufferWriter<byte>(256);
        using var historyWriter = new Utf8JsonWriter(history, WriterOptions);
        historyWriter.WriteStartObject();

        if (after is null)
        {
            foreach (var (name, old) in before ?? [])
            {
                historyWriter.WriteStartObject(name);
                Write(historyWriter, "old", old);
                historyWriter.WriteEndObject();
            }

            historyWriter.WriteEndObject();
            historyWriter.Flush();
            return new(Delete, "{}", "[]", Encoding.UTF8.GetString(history.WrittenSpan));
        }

        var changed = new ArrayBufferWriter<byte>(256);
        var removed = new ArrayBufferWriter<byte>(32);
        using var changedWriter = new Utf8JsonWriter(changed, WriterOptions);
        using var removedWriter = new Utf8JsonWriter(removed, WriterOptions);
        changedWriter.WriteStartObject();
        removedWriter.WriteStartArray();

        foreach (var (name, value) in after)
        {
            JsonNode? old = null;
            var had = before is not null && before.TryGetPropertyValue(name, out old);
            if (had && JsonNode.DeepEquals(old, value))
            {
                continue;
            }

            Write(changedWriter, name, value);
            historyWriter.WriteStartObject(name);
            if (had)
            {
                Write(historyWriter, "old", old);
            }

            Write(historyWriter, "new", value);
            historyWriter.WriteEndObject();
        }

        foreach (var (name, old) in before ?? [])
        {
            if (!after.ContainsKey(name))
            {
                removedWriter.WriteStringValue(name);
                historyWriter.WriteStartObject(name);
                Write(historyWriter, "old", old);
                historyWriter.WriteEndObject();
            }
        }

        changedWriter.WriteEndObject();
        removedWriter.WriteEndArray();
        historyWriter.WriteEndObject();
        changedWriter.Flush();
        removedWriter.Flush();
        historyWriter.Flush();
        return new(
            Upsert,
            Encoding.UTF8.GetString(changed.WrittenSpan),
            Encoding.UTF8.GetString(removed.WrittenSpan),
            Encoding.UTF8.GetString(history.WrittenSpan));
    }

    private static void Write(Utf8JsonWriter writer, string name, JsonNode? value)
    {
        writer.WritePropertyName(name);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}
