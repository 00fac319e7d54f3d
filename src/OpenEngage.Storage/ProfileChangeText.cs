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

    [ThreadStatic]
    private static Utf8JsonScratch? t_scratch;

    public static ProfileChangeText From(ProfileChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.IsDelete)
        {
            return new(Delete, "{}", "[]");
        }

        var scratch = t_scratch ??= new Utf8JsonScratch(WriterOptions);
        var changed = scratch.Write(change.Diff.Properties, static (writer, properties) =>
        {
            writer.WriteStartObject();
            foreach (var property in properties)
            {
                if (!property.Has)
                {
                    continue;
                }

                writer.WritePropertyName(property.Name);
                if (property.New is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    property.New.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        });
        var removed = scratch.Write(change.Diff.Properties, static (writer, properties) =>
        {
            writer.WriteStartArray();
            foreach (var property in properties)
            {
                if (!property.Has)
                {
                    writer.WriteStringValue(property.Name);
                }
            }

            writer.WriteEndArray();
        });
        return new(Upsert, Encoding.UTF8.GetString(changed), Encoding.UTF8.GetString(removed));
    }
}
