using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OpenEngage.Http.Identity;

/// <summary>The JSON answers of the identity and privacy APIs: <c>{"status":"ok","results":…}</c> or <c>{"error":…,"status":"error"}</c>.</summary>
internal static class IdentityJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteOkAsync(HttpResponse response, Action<Utf8JsonWriter> writeResults) =>
        WriteAsync(response, 200, writer =>
        {
            writer.WriteString("status", "ok");
            writer.WritePropertyName("results");
            writeResults(writer);
        });

    public static Task WriteErrorAsync(HttpResponse response, int statusCode, string message) =>
        WriteAsync(response, statusCode, writer =>
        {
            writer.WriteString("error", message);
            writer.WriteString("status", "error");
        });

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteAsync(HttpResponse response, int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).ConfigureAwait(false);
    }
}
