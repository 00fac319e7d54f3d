using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenEngage.Http;

/// <summary>A decoded batch: the parsed JSON (dispose it when done) and its records.</summary>
public sealed class DecodedBatch(JsonDocument document, IReadOnlyList<JsonElement> records) : IDisposable
{
    public IReadOnlyList<JsonElement> Records { get; } = records;

    public void Dispose() => document.Dispose();
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

    public static async Task<DecodedBatch> ReadAsync(HttpRequest request, IngestionParameters parameters, IngestionLimitsOptions limits, CancellationToken cancellationToken)
    {
        parameters.Read(request.Query);
        var body = await ReadBodyAsync(request, limits.MaxBodyBytes, cancellationToken).ConfigureAwait(false);

        byte[] json;
        var trimmed = TrimStart(body);
        if (trimmed.Length > 0 && trimmed[0] is (byte)'[' or (byte)'{')
        {
            json = body;
        }
        else
        {
            if (trimmed.Length > 0)
            {
                var text = Encoding.UTF8.GetString(trimmed);
                parameters.Read(QueryHelpers.ParseQuery(text));
                if (parameters.Data is null && !text.Contains('&', StringComparison.Ordinal))
                {
                    // A body that is only the data value itself, e.g. raw base64 (whose '=' padding
                    // a form parser would take for a name).
                    parameters.Read([new("data", text)]);
                }
            }

            if (parameters.Data is null)
            {
                throw new WireError(400, "no records: send a JSON body, or a data parameter in the body or the query string");
            }

            json = DataParameter.Decode(parameters.Data);
        }

        return Parse(json, limits);
    }

    private static DecodedBatch Parse(byte[] json, IngestionLimitsOptions limits)
    {
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

            return new DecodedBatch(document, records);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0)
        {
            return [];
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        Stream source = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" or "x-gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibOrDeflateStream(request.Body),
            _ => throw new WireError(415, $"unsupported Content-Encoding \"{encoding}\"; use gzip or deflate"),
        };

        await using (source.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                using var collected = new MemoryStream();
                while (true)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException)
                    {
                        throw new WireError(400, $"the body is not valid {encoding} data");
                    }

                    if (read == 0)
                    {
                        return collected.ToArray();
                    }

                    if (collected.Length + read > maxBytes)
                    {
                        throw new WireError(413, $"the body is larger than the limit of {maxBytes} bytes");
                    }

                    collected.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static ReadOnlySpan<byte> TrimStart(byte[] body)
    {
        var span = body.AsSpan();
        while (span.Length > 0 && span[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
        {
            span = span[1..];
        }

        return span;
    }
}
