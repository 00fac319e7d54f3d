using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace OpenEngage.Bench;

/// <summary>One pre-generated request body and the number of records it carries.</summary>
internal sealed record RequestBody(byte[] Bytes, int Records, bool Gzip);

/// <summary>
/// Generates request bodies before anything is timed: records mixing <c>$set</c> (50%),
/// <c>$add</c> (30%) and <c>$union</c> (20%) for ids drawn with a Zipf skew.
/// </summary>
internal sealed class Workload
{
    public const string Token = "bench-token";

    private static readonly string[] Plans = ["free", "starter", "pro", "team", "enterprise"];
    private static readonly string[] Cities = ["Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "São Paulo", "Zürich", "Austin"];

    private readonly ZipfIds _ids;
    private readonly Random _random;

    public Workload(int ids, double exponent, int seed)
    {
        _random = new Random(seed);
        _ids = new ZipfIds(ids, exponent);
    }

    /// <summary>How many distinct ids the drawn records touched so far.</summary>
    public int DistinctIdsDrawn => _ids.Drawn;

    public RequestBody[] Batches(int count, int size, bool gzip)
    {
        var bodies = new RequestBody[count];
        var buffer = new ArrayBufferWriter<byte>(size * 160);
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                for (var r = 0; r < size; r++)
                {
                    WriteRecord(writer);
                }

                writer.WriteEndArray();
            }

            var bytes = gzip ? Compress(buffer.WrittenSpan) : buffer.WrittenSpan.ToArray();
            bodies[i] = new RequestBody(bytes, size, gzip);
        }

        return bodies;
    }

    public RequestBody[] Singles(int count)
    {
        var bodies = new RequestBody[count];
        var buffer = new ArrayBufferWriter<byte>(256);
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteRecord(writer);
            }

            bodies[i] = new RequestBody(buffer.WrittenSpan.ToArray(), 1, false);
        }

        return bodies;
    }

    private void WriteRecord(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$token", Token);
        writer.WriteString("$distinct_id", _ids.Next(_random));
        var kind = _random.Next(10);
        if (kind < 5)
        {
            writer.WriteStartObject("$set");
            writer.WriteString("plan", Plans[_random.Next(Plans.Length)]);
            writer.WriteString("city", Cities[_random.Next(Cities.Length)]);
            writer.WriteNumber("score", _random.Next(1000));
            writer.WriteString("last_page", $"/docs/page-{_random.Next(500)}");
            writer.WriteEndObject();
        }
        else if (kind < 8)
        {
            writer.WriteStartObject("$add");
            writer.WriteNumber("logins", 1);
            writer.WriteNumber("spend", Math.Round(_random.NextDouble() * 100, 2));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStartObject("$union");
            writer.WriteStartArray("tags");
            writer.WriteStringValue($"tag-{_random.Next(40)}");
            writer.WriteStringValue($"tag-{_random.Next(40)}");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static byte[] Compress(ReadOnlySpan<byte> json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Ids of rank 1..n drawn with probability proportional to 1/rank^s. Ranks map to ids through
    /// a fixed permutation, so the hot ids are spread over the id space rather than being u0, u1, ….
    /// </summary>
    private sealed class ZipfIds
    {
        private const long Multiplier = 2_654_435_761;

        private readonly double[] _cumulative;
        private readonly bool[] _seen;
        private readonly int _count;

        public ZipfIds(int count, double exponent)
        {
            _count = count;
            _cumulative = new double[count];
            _seen = new bool[count];
            var sum = 0.0;
            for (var rank = 1; rank <= count; rank++)
            {
                sum += 1.0 / Math.Pow(rank, exponent);
                _cumulative[rank - 1] = sum;
            }
        }

        public int Drawn { get; private set; }

        public string Next(Random random)
        {
            var target = random.NextDouble() * _cumulative[^1];
            var index = Array.BinarySearch(_cumulative, target);
            var rank = index >= 0 ? index : ~index;
            rank = Math.Min(rank, _count - 1);
            if (!_seen[rank])
            {
                _seen[rank] = true;
                Drawn++;
            }

            // Multiplier is odd and not a multiple of 5, so for counts of the form 2^a·5^b (such as
            // 1,000,000) this is a bijection; for other counts a few ids may coincide, which is harmless.
            var id = rank * Multiplier % _count;
            return $"user-{id}";
        }
    }
}
