using System.Buffers;

namespace OpenEngage.Profiles;

/// <summary>
/// Holds many short UTF-8 texts one after another in a few large arrays rented from
/// <see cref="ArrayPool{T}.Shared"/>, instead of one array per text: a writer that serialises
/// thousands of texts per group and keeps them until the group is stored then allocates almost
/// nothing, and the garbage collector has no texts to copy while the group waits. Not thread-safe.
/// </summary>
/// <remarks>
/// <see cref="Release"/> gives the arrays back to the pool, after which no text copied into the
/// arena may be read. An arena that is never released is collected like any object: its arrays
/// are not reused, and nothing else goes wrong.
/// </remarks>
public sealed class Utf8TextArena
{
    /// <summary>The size of each array rented (below the large object heap's threshold).</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly List<byte[]> _chunks = [];
    private byte[]? _current;
    private int _used;

    /// <summary>Copies one text into the arena and returns where it is.</summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> text)
    {
        if (_current is null || _current.Length - _used < text.Length)
        {
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, text.Length));
            _chunks.Add(_current);
            _used = 0;
        }

        var copy = _current.AsMemory(_used, text.Length);
        text.CopyTo(copy.Span);
        _used += text.Length;
        return copy;
    }

    /// <summary>Returns the arrays to the pool; the texts copied in must not be read any more.</summary>
    public void Release()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _current = null;
        _used = 0;
    }
}
