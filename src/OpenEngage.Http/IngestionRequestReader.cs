using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenEngage.Http;

/// <summary>A decoded batch: the parsed JSON and its records, and the buffer it was parsed from (dispose it when done).</summary>
public sealed class DecodedBatch(JsonDocument document, IReadOnlyList<JsonElement> records, IDisposable? buffer = null) : IDisposable
{
    public IReadOnlyList<JsonElement> Records { get; } = records;

    public void Dispose()
    {
        document.Dispose();
        buffer?.Dispose();
    }
}

/// <summary>
/// Decodes every transport of contract §1 into a batch of records: JSON bodies, form and
/// <c>text/plain</c> bodies with <c>data=</c>, <c>GET ?data=</c>, gzip and deflate, plain or base64 data.
/// The body's shape decides, not its content type: a body that starts with <c>{</c> or <c>[</c> is JSON,
/// anything else is read as a form.
/// </summary>
public static class IngestionRequestReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static async Task<DecodedBatch> ReadAsync(HttpRequest request, IngestionParameters parameters, IngestionLimitsOptions limits, BodyBufferBudget budget)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(limits);
        parameters.Read(request.Query);
        var body = await IngestionBodyReader.ReadAsync(request, limits, budget).ConfigureAwait(false);
        try
        {
            var start = Start(body.Memory.Span);
            var trimmed = body.Memory[start..];
            if (trimmed.Length > 0 && trimmed.Span[0] is (byte)'[' or (byte)'{')
            {
                // The JSON is parsed where it lies; the batch keeps the buffer until it is disposed.
                var batch = Parse(trimmed, limits, body);
                body = null;
                return batch;
            }

            if (trimmed.Length > 0)
            {
                var text = Encoding.UTF8.GetString(trimmed.Span);
                parameters.Read(QueryHelpers.ParseQuery(text));
                if (parameters.Data is null && !text.Contains('&', StringComparison.Ordinal))
                {
                    // A body that is only the data value itself, e.g. raw base64 (whose '=' padding
                    // a form parser would take for a name).
                    parameters.Read([new("data", text)]);
                }
            }

            body.Dispose();
            body = null;
            if (parameters.Data is null)
            {
                throw new WireError(400, "no records: send a JSON body, or a data parameter in the body or the query string");
            }

            return Parse(DataParameter.Decode(parameters.Data), limits, null);
        }
        finally
        {
            body?.Dispose();
        }
    }

    private static DecodedBatch Parse(ReadOnlyMemory<byte> json, IngestionLimitsOptions limits, IDisposable? buffer)
    {
        var bom = "\uFEFF"u8;
        if (json.Span.StartsWith(bom))
        {
            json = json[bom.Length..];
        }

        if (json.Length > limits.MaxBodyBytes)
        {
            throw new WireError(413, $"the decoded data is {json.Length} bytes; the limit is {limits.MaxBodyBytes}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException error)
        {
            throw new WireError(400, $"malformed JSON: {error.Message}");
        }

        try
        {
            var root = document.RootElement;
            IReadOnlyList<JsonElement> records = root.ValueKind switch
            {
                JsonValueKind.Array => [.. root.EnumerateArray()],
                JsonValueKind.Object => [root],
                _ => throw new WireError(400, "the data must be a JSON array of records or one record object"),
            };

            if (records.Count > limits.MaxRecordsPerRequest)
            {
                throw new WireError(400, $"the request has {records.Count} records; the limit is {limits.MaxRecordsPerRequest}");
            }

            for (var i = 0; i < records.Count; i++)
            {
                var size = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(records[i]).Length;
                if (size > limits.MaxRecordBytes)
                {
                    throw new WireError(413, $"record {i} is {size} bytes; the limit is {limits.MaxRecordBytes} bytes per record");
                }
            }

            return new DecodedBatch(document, records, buffer);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>The offset of the first byte that is not white space or part of a UTF-8 byte-order mark.</summary>
    private static int Start(ReadOnlySpan<byte> body)
    {
        var start = 0;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
        {
            start++;
        }

        return start;
    }
}
