using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>Measures the UTF-8 size of a JSON value as it would be stored.</summary>
public static class JsonSize
{
    public static long Utf8Bytes(JsonNode? node)
    {
        if (node is null)
        {
            return 4;
        }

        // One counter and writer per thread, reset for each measurement: measuring allocates nothing.
        var counter = t_counter ??= new CountingBufferWriter();
        var writer = t_writer ??= new Utf8JsonWriter(counter);
        counter.Reset();
        writer.Reset(counter);
        node.WriteTo(writer);
        writer.Flush();
        return counter.Written;
    }

    [ThreadStatic]
    private static CountingBufferWriter? t_counter;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private sealed class CountingBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Written { get; private set; }

        public void Reset() => Written = 0;

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}
