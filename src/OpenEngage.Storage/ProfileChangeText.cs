using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A <see cref="ProfileChange"/> as the change log stores it: its kind, <c>changed</c> (new values) and <c>removed</c> (names).</summary>
public readonly record struct ProfileChangeText(string Kind, string Changed, string Removed)
{
    public const string Upsert = "upsert";
    public const string Delete = "delete";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ProfileChangeText From(ProfileChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.IsDelete)
        {
            return new(Delete, "{}", "[]");
        }

        var changed = new ArrayBufferWriter<byte>(256);
        var removed = new ArrayBufferWriter<byte>(32);
        using (var changedWriter = new Utf8JsonWriter(changed, WriterOptions))
        using (var removedWriter = new Utf8JsonWriter(removed, WriterOptions))
        {
            changedWriter.WriteStartObject();
            removedWriter.WriteStartArray();
            foreach (var property in change.Diff.Properties)
            {
                if (!property.Has)
                {
                    removedWriter.WriteStringValue(property.Name);
                    continue;
                }

                changedWriter.WritePropertyName(property.Name);
                if (property.New is null)
                {
                    changedWriter.WriteNullValue();
                }
                else
                {
                    property.New.WriteTo(changedWriter);
                }
            }

            changedWriter.WriteEndObject();
            removedWriter.WriteEndArray();
        }

        return new(Upsert, Encoding.UTF8.GetString(changed.WrittenSpan), Encoding.UTF8.GetString(removed.WrittenSpan));
    }
}
