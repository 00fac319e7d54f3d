using System.Globalization;
using System.Text.Json;
using OpenEngage.Storage;

namespace OpenEngage.Http.Changes;

/// <summary>One change as the feed and the webhooks write it.</summary>
public static class ChangeJson
{
    /// <summary>
    /// <c>{"cursor","$distinct_id","kind","changed","removed","time","received","source"}</c>, times
    /// as ISO 8601 UTC with milliseconds; <paramref name="project"/> is added when given (webhooks).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, FeedChange change, string cursor, string? project = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(change);
        writer.WriteStartObject();
        writer.WriteString("cursor", cursor);
        if (project is not null)
        {
            writer.WriteString("project", project);
        }

        writer.WriteString("$distinct_id", change.Key.Id);
        writer.WriteString("kind", change.Kind);
        writer.WritePropertyName("changed");
        writer.WriteRawValue(change.ChangedJson, skipInputValidation: true);
        writer.WritePropertyName("removed");
        writer.WriteRawValue(change.RemovedJson, skipInputValidation: true);
        writer.WriteString("time", Iso(change.Time));
        writer.WriteString("received", Iso(change.Received));
        writer.WriteString("source", change.Source);
        writer.WriteEndObject();
    }

    private static string Iso(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
