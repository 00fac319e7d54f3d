using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Cli;

/// <summary>
/// The records of an import file, each with where it was found: JSON lines (one record per line),
/// a JSON array, or CSV as <c>export --format csv</c> writes it (a header row starting with
/// <c>$distinct_id</c>, then one profile per row). The first character that is not white space
/// tells which. A line that cannot be read is an item with an error, and reading goes on; in a
/// JSON array a syntax error ends the file, since nothing after it can be trusted.
/// </summary>
internal static class ImportSource
{
    /// <summary>One record (or the reason there is none) and where it was found (<c>line 7</c>, <c>record 7</c>).</summary>
    public sealed record Item(string Where, JsonElement? Record, string? Error);

    public static async IAsyncEnumerable<Item> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (first, replay) = await PeekAsync(stream, cancellationToken);
        if (first == '[')
        {
            var number = 0L;
            var records = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(replay, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                Item? failure = null;
                try
                {
                    if (!await records.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (JsonException e)
                {
                    failure = new Item($"record {number + 1}", null, $"the JSON array is malformed ({e.Message}); the rest of the file was not read");
                }

                if (failure is not null)
                {
                    yield return failure;
                    break;
                }

                yield return new Item($"record {++number}", records.Current, null);
            }

            await records.DisposeAsync();
            yield break;
        }

        using var reader = new StreamReader(replay, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        if (first == '{' || first == -1)
        {
            var line = 0L;
            while (await reader.ReadLineAsync(cancellationToken) is { } text)
            {
                line++;
                if (!string.IsNullOrWhiteSpace(text))
                {
                    yield return JsonLine($"line {line}", text);
                }
            }

            yield break;
        }

        await foreach (var item in CsvAsync(reader, cancellationToken))
        {
            yield return item;
        }
    }

    private static Item JsonLine(string where, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return new Item(where, document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return new Item(where, null, "not JSON: " + e.Message);
        }
    }

    private static async IAsyncEnumerable<Item> CsvAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var csv = new CsvRows(reader);
        var header = await csv.ReadAsync(cancellationToken);
        if (header is null)
        {
            yield break;
        }

        if (header.Fields.Count == 0 || header.Fields[0] != "$distinct_id")
        {
            yield return new Item($"line {header.Line}", null, "not JSON lines, a JSON array or a CSV header starting with $distinct_id; nothing was read");
            yield break;
        }

        while (await csv.ReadAsync(cancellationToken) is { } row)
        {
            if (row.Fields.Count == 1 && row.Fields[0].Length == 0)
            {
                continue;
            }

            if (row.Fields.Count != header.Fields.Count)
            {
                yield return new Item($"line {row.Line}", null, $"{row.Fields.Count} cells where the header has {header.Fields.Count}");
                continue;
            }

            var properties = new JsonObject();
            for (var i = 1; i < row.Fields.Count; i++)
            {
                var value = CsvCell.Value(row.Fields[i], out var present);
                if (present)
                {
                    properties[header.Fields[i]] = value;
                }
            }

            var record = new JsonObject { ["$distinct_id"] = row.Fields[0], ["$properties"] = properties };
            yield return new Item($"line {row.Line}", JsonSerializer.SerializeToElement(record), null);
        }
    }

    /// <summary>The first byte that is not white space or a byte-order mark (-1 at the end), and a stream that still starts at the beginning.</summary>
    private static async Task<(int First, Stream Replay)> PeekAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return (-1, new ReplayStream(buffer.ToArray(), stream));
            }

            buffer.WriteByte(one[0]);
            if (one[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
            {
                return (one[0], new ReplayStream(buffer.ToArray(), stream));
            }
        }
    }

    /// <summary>Bytes already read, then the rest of the stream.</summary>
    private sealed class ReplayStream(byte[] prefix, Stream rest) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                return ValueTask.FromResult(Read(buffer.Span));
            }

            return rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
