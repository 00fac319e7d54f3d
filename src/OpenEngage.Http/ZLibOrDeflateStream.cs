using System.IO.Compression;

namespace OpenEngage.Http;

/// <summary>
/// <c>Content-Encoding: deflate</c> means zlib-wrapped deflate (RFC 9110), but some clients send raw
/// deflate. Peeks at the first two bytes: a valid zlib header selects <see cref="ZLibStream"/>.
/// </summary>
internal sealed class ZLibOrDeflateStream(Stream inner) : Stream
{
    private Stream? _decoder;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _decoder ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await _decoder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var header = new byte[2];
        var read = 0;
        while (read < 2)
        {
            var n = await inner.ReadAsync(header.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var prefix = new MemoryStream(header, 0, read);
        var combined = new ConcatenatedStream(prefix, inner);
        var isZlib = read == 2 && (header[0] & 0x0F) == 8 && ((header[0] << 8) | header[1]) % 31 == 0;
        return isZlib
            ? new ZLibStream(combined, CompressionMode.Decompress)
            : new DeflateStream(combined, CompressionMode.Decompress);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private sealed class ConcatenatedStream(Stream first, Stream second) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await first.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return n > 0 ? n : await second.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
