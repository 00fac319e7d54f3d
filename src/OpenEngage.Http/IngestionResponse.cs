using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using OpenEngage.Ingestion;

namespace OpenEngage.Http;

/// <summary>Encodes the ingestion responses of contract §6: <c>1</c>/<c>0</c>, verbose, strict and JSONP.</summary>
public static partial class IngestionResponse
{
    private const int MaxCallbackLength = 256;

    /// <summary>
    /// A JavaScript name path: <c>cb</c>, <c>a.b</c>, <c>mixpanel._jsc[12345]</c>. Anchored with
    /// <c>\z</c>: <c>$</c> would also match before a final newline.
    /// </summary>
    [GeneratedRegex(@"\A[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*|\[[0-9]+\])*\z")]
    private static partial Regex CallbackName();

    public static bool IsSafeCallback(string callback) =>
        callback.Length <= MaxCallbackLength && CallbackName().IsMatch(callback);

    public static Task WriteResultAsync(HttpResponse response, IngestionParameters parameters, IngestResult result)
    {
        if (parameters.Strict)
        {
            var ok = result.Failed.Count == 0;
            return WriteAsync(response, parameters, ok ? 200 : 400, JsonBody(parameters, writer =>
            {
                writer.WriteNumber("code", ok ? 200 : 400);
                writer.WriteString("status", ok ? "OK" : "Bad Request");
                writer.WriteNumber("num_records_imported", result.Applied);
                writer.WriteStartArray("failed_records");
                foreach (var failure in result.Failed)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", failure.Index);
                    writer.WriteString("$distinct_id", failure.DistinctId);
                    writer.WriteString("field", failure.Field);
                    writer.WriteString("message", failure.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("warnings");
                foreach (var warning in result.Warnings)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", warning.Index);
                    writer.WriteString("field", warning.Field);
                    writer.WriteString("message", warning.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (ok)
                {
                    writer.WriteNull("error");
                }
                else
                {
                    writer.WriteString("error", $"{result.Failed.Count} of {result.Total} records failed validation");
                }
            }), "application/json");
        }

        var status = result.Applied > 0 ? 1 : 0;
        if (parameters.Verbose == 0)
        {
            return WriteAsync(response, parameters, 200, status == 1 ? "1"u8.ToArray() : "0"u8.ToArray(), "text/plain");
        }

        var error = status == 1 ? null : result.Failed.Count > 0 ? Describe(result.Failed[0]) : "no records";
        return WriteAsync(response, parameters, status == 0 && parameters.Verbose == 2 ? 400 : 200, StatusBody(parameters, status, error), "application/json");
    }

    public static Task WriteErrorAsync(HttpResponse response, IngestionParameters parameters, int statusCode, string message) =>
        WriteAsync(response, parameters, statusCode, StatusBody(parameters, 0, message), "application/json");

    private static string Describe(FailedRecord failure) =>
        failure.Field.Length > 0 ? $"record {failure.Index}: {failure.Field}: {failure.Message}" : $"record {failure.Index}: {failure.Message}";

    private static byte[] StatusBody(IngestionParameters? parameters, int status, string? error) => JsonBody(parameters, writer =>
    {
        writer.WriteNumber("status", status);
        writer.WriteString("error", error);
    });

    /// <summary>
    /// JSON text: UTF-8 as it is for a JSON answer; for a JSONP answer (<paramref name="parameters"/>
    /// with a callback, or null when unknown), every non-ASCII character, <c>&lt;</c>, <c>&gt;</c> and
    /// <c>&amp;</c> escaped, so U+2028 or <c>&lt;/script&gt;</c> in a client's text cannot break the script.
    /// </summary>
    private static byte[] JsonBody(IngestionParameters? parameters, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var encoder = parameters is { Callback: null } ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : JavaScriptEncoder.Default;
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteAsync(HttpResponse response, IngestionParameters parameters, int statusCode, byte[] body, string contentType)
    {
        response.StatusCode = statusCode;
        if (parameters.Callback is { } callback)
        {
            if (!IsSafeCallback(callback))
            {
                response.StatusCode = 400;
                response.ContentType = "application/json";
                await response.Body.WriteAsync(StatusBody(null, 0, "the callback parameter must be a JavaScript name such as cb, a.b or mixpanel._jsc[1]")).ConfigureAwait(false);
                return;
            }

            response.ContentType = "text/javascript; charset=utf-8";
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(callback + "(")).ConfigureAwait(false);
            await response.Body.WriteAsync(body).ConfigureAwait(false);
            await response.Body.WriteAsync(")"u8.ToArray()).ConfigureAwait(false);
            return;
        }

        response.ContentType = contentType == "text/plain" ? "text/plain; charset=utf-8" : contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
