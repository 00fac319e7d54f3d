using System.Buffers;
using System.Text.Json;

namespace OpenEngage.Profiles;

/// <summary>
/// A reusable buffer and <see cref="Utf8JsonWriter"/> that write one JSON text at a time and return
/// it as an array of exactly its UTF-8 bytes, so a serialiser called per record allocates only its
/// result. Not thread-safe: keep one per thread (<see cref="ThreadStaticAttribute"/>).
/// </summary>
public sealed class Utf8JsonScratch
{
    /// <summary>A buffer grown beyond this by one large text is dropped afterwards rather than kept.</summary>
    private const int KeptCapacity = 64 * 1024;

    private readonly JsonWriterOptions _options;
    private ArrayBufferWriter<byte> _buffer;
    private Utf8JsonWriter _writer;

    public Utf8JsonScratch(JsonWriterOptions options)
    {
        _options = options;
        _buffer = new ArrayBufferWriter<byte>(4096);
        _writer = new Utf8JsonWriter(_buffer, options);
    }

    /// <summary>Writes one JSON text with <paramref name="write"/> and returns its UTF-8 bytes.</summary>
    public byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        try
        {
            return Written(state, write).ToArray();
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Writes one JSON text with <paramref name="write"/> and returns its UTF-8 bytes, copied into <paramref name="arena"/>.</summary>
    public ReadOnlyMemory<byte> Write<TState>(TState state, Action<Utf8JsonWriter, TState> write, Utf8TextArena arena)
    {
        ArgumentNullException.ThrowIfNull(arena);
        try
        {
            return arena.Copy(Written(state, write));
        }
        finally
        {
            Reset();
        }
    }

    private ReadOnlySpan<byte> Written<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        write(_writer, state);
        _writer.Flush();
        return _buffer.WrittenSpan;
    }

    private void Reset()
    {
        if (_buffer.Capacity > KeptCapacity)
        {
            _buffer = new ArrayBufferWriter<byte>(4096);
            _writer.Dispose();
            _writer = new Utf8JsonWriter(_buffer, _options);
        }
        else
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
        }
    }
}
