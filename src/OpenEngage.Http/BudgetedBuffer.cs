using System.Buffers;

namespace OpenEngage.Http;

/// <summary>
/// A growable byte buffer whose capacity is reserved in a <see cref="BodyBufferBudget"/>: growing past
/// the budget waits briefly for room, then fails with 503. Small buffers come from the shared array
/// pool; large ones are plain arrays, so the garbage collector can give their memory back.
/// </summary>
/// <remarks>
/// It grows by doubling, but never past <paramref name="expectedLength"/> (a request's Content-Length)
/// while the data fits in it, so a body reserves little more than its size.
/// </remarks>
internal sealed class BudgetedBuffer(BodyBufferBudget budget, TimeSpan wait, long maxLength, string tooLarge, long? expectedLength = null) : IDisposable
{
    private const int PooledLimit = 64 * 1024;
    private const int MinimumCapacity = 16 * 1024;

    private byte[] _array = [];
    private long _reserved;

    public int Length { get; private set; }

    public ArraySegment<byte> Written => new(_array, 0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data)
    {
        await EnsureCapacityAsync((long)Length + data.Length).ConfigureAwait(false);
        data.CopyTo(_array.AsMemory(Length));
        Length += data.Length;
    }

    /// <summary>Room for <paramref name="size"/> bytes in all; 413 past the maximum length, 503 past the budget.</summary>
    public async ValueTask EnsureCapacityAsync(long size)
    {
        if (size <= _array.Length)
        {
            return;
        }

        if (size > maxLength)
        {
            throw new WireError(413, tooLarge);
        }

        var doubled = Math.Max(MinimumCapacity, (long)_array.Length * 2);
        if (expectedLength is { } expected && size <= expected)
        {
            doubled = Math.Min(doubled, expected);
        }

        var capacity = (int)Math.Min(maxLength, Math.Max(size, doubled));
        var more = capacity - _reserved;
        if (!await budget.TryReserveAsync(more, wait, CancellationToken.None).ConfigureAwait(false))
        {
            throw new WireError(503, "the server holds as many request bodies as it may; retry shortly");
        }

        _reserved += more;
        var array = capacity <= PooledLimit ? ArrayPool<byte>.Shared.Rent(capacity) : GC.AllocateUninitializedArray<byte>(capacity);
        _array.AsSpan(0, Length).CopyTo(array);
        ReturnArray();
        _array = array;
    }

    public void Dispose()
    {
        ReturnArray();
        _array = [];
        Length = 0;
        if (_reserved > 0)
        {
            budget.Release(_reserved);
            _reserved = 0;
        }
    }

    private void ReturnArray()
    {
        if (_array.Length is > 0 and <= PooledLimit)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
