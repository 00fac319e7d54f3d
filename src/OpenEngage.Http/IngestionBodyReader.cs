using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OpenEngage.Http;

/// <summary>
/// Reads an ingestion body into memory the <see cref="BodyBufferBudget"/> accounts for. A compressed
/// body is decoded as it arrives, which counts its progress and stops it at the decoded limit, and
/// the decoded bytes are kept while the body arrives promptly and compresses ordinarily (within
/// <see cref="KeepWindow"/>, at most <see cref="KeptPerWireByte"/> decoded bytes per byte received):
/// such a body, nearly every real one, is decoded once. Past either bound the decoded bytes are
/// dropped and the request holds only the bytes received, decoded again in one go when all of them
/// are there. So a slow client pins little more than what it sent, never 1,000× that, and a body
/// whose decoded progress stalls (empty deflate blocks) is cut off.
/// </summary>
/// <remarks>
/// The reads do not use the request's abort token: a client that sent its whole request and then
/// shut down its sending side (a FIN) still has the request read to the end and applied.
/// </remarks>
internal static class IngestionBodyReader
{
    /// <summary>Wire bytes a compressed body may have beyond the decoded limit (headers, trailers, empty blocks).</summary>
    private const int WireSlack = 64 * 1024;

    /// <summary>How long a compressed body may take to arrive and still have its decoded bytes kept as they arrive.</summary>
    internal static readonly TimeSpan KeepWindow = TimeSpan.FromSeconds(1);

    /// <summary>Decoded bytes kept per wire byte received (beyond <see cref="KeptAlways"/>): ordinary JSON compresses 5–30×.</summary>
    internal const int KeptPerWireByte = 64;

    /// <summary>Decoded bytes a compressed body may keep whatever its ratio.</summary>
    internal const int KeptAlways = 64 * 1024;

    public static async Task<BudgetedBuffer> ReadAsync(HttpRequest request, IngestionLimitsOptions limits, BodyBufferBudget budget) =>
        (await ReadBodyAsync(request, limits, budget).ConfigureAwait(false)).Body;

    /// <summary>The body, and how many times it was decoded (0 when it was not compressed).</summary>
    internal static async Task<(BudgetedBuffer Body, int Decodes)> ReadBodyAsync(HttpRequest request, IngestionLimitsOptions limits, BodyBufferBudget budget)
    {
        var wait = TimeSpan.FromMilliseconds(limits.MaxBufferWaitMilliseconds);
        var tooLarge = $"the body is larger than the limit of {limits.MaxBodyBytes} bytes";
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        var identity = encoding is "" or "identity";
        if (!identity && encoding is not ("gzip" or "x-gzip" or "deflate"))
        {
            throw new WireError(415, $"unsupported Content-Encoding \"{encoding}\"; use gzip or deflate");
        }

        var wire = new BudgetedBuffer(budget, wait, identity ? limits.MaxBodyBytes : (long)limits.MaxBodyBytes + WireSlack, tooLarge, request.ContentLength);
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            // No body (a GET with ?data=): no buffer, no timer.
            return (wire, 0);
        }

        using var watchdog = new BodyProgressWatchdog(limits);
        try
        {
            if (identity)
            {
                await ReceiveAsync(request.Body, wire, watchdog).ConfigureAwait(false);
                return (wire, 0);
            }

            var arriving = new BudgetedBuffer(budget, wait, limits.MaxBodyBytes, tooLarge);
            long decoded;
            bool kept;
            try
            {
                (decoded, kept) = await DecodeArrivingAsync(Decoder(encoding, new TeeStream(request.Body, wire)), arriving, wire, limits.MaxBodyBytes, tooLarge, watchdog).ConfigureAwait(false);
            }
            catch
            {
                arriving.Dispose();
                throw;
            }

            if (kept)
            {
                wire.Dispose();
                return (arriving, 1);
            }

            arriving.Dispose();
            using (wire)
            {
                return (await DecodeAsync(encoding, wire, decoded, new BudgetedBuffer(budget, wait, limits.MaxBodyBytes, tooLarge)).ConfigureAwait(false), 2);
            }
        }
        catch (OperationCanceledException) when (watchdog.Expired)
        {
            wire.Dispose();
            throw new WireError(408, watchdog.Message);
        }
        catch (InvalidDataException)
        {
            wire.Dispose();
            throw new WireError(400, $"the body is not valid {encoding} data");
        }
        catch (IOException error) when (RequestBodyErrors.AsRefusal(error) is { } refusal)
        {
            // Kestrel's framing errors (a chunk size that overflows, a body cut short): 400 or 413.
            wire.Dispose();
            throw refusal;
        }
        catch
        {
            wire.Dispose();
            throw;
        }
    }

    private static async Task ReceiveAsync(Stream body, BudgetedBuffer wire, BodyProgressWatchdog watchdog)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, watchdog.Token).ConfigureAwait(false)) > 0)
            {
                await wire.AppendAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                watchdog.Progress(wire.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decodes as the bytes arrive: the decoded size, with the 413 as soon as it is too large, and the
    /// decoded bytes in <paramref name="output"/> while the body stays within <see cref="KeepWindow"/>
    /// and <see cref="KeptPerWireByte"/>; past either, <paramref name="output"/> is released and
    /// only counted (Kept: false).
    /// </summary>
    private static async Task<(long Decoded, bool Kept)> DecodeArrivingAsync(Stream decoder, BudgetedBuffer output, BudgetedBuffer wire, int maxBytes, string tooLarge, BodyProgressWatchdog watchdog)
    {
        var started = Stopwatch.GetTimestamp();
        var keep = true;
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await using (decoder.ConfigureAwait(false))
            {
                long decoded = 0;
                int read;
                while ((read = await decoder.ReadAsync(scratch, watchdog.Token).ConfigureAwait(false)) > 0)
                {
                    decoded += read;
                    if (decoded > maxBytes)
                    {
                        throw new WireError(413, tooLarge);
                    }

                    watchdog.Progress(decoded);
                    if (keep && (decoded > Math.Max(KeptAlways, (long)KeptPerWireByte * wire.Length) || Stopwatch.GetElapsedTime(started) > KeepWindow))
                    {
                        // A slow or extremely compressed body: hold only its wire bytes from here on.
                        keep = false;
                        output.Dispose();
                    }

                    if (keep)
                    {
                        await output.AppendAsync(scratch.AsMemory(0, read)).ConfigureAwait(false);
                    }
                }

                return (decoded, keep);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Decodes the received bytes into <paramref name="output"/>, sized once for <paramref name="size"/> bytes.</summary>
    private static async Task<BudgetedBuffer> DecodeAsync(string encoding, BudgetedBuffer wire, long size, BudgetedBuffer output)
    {
        try
        {
            await output.EnsureCapacityAsync(Math.Max(size, 1)).ConfigureAwait(false);
            var received = wire.Written;
            var decoder = Decoder(encoding, new MemoryStream(received.Array!, received.Offset, received.Count, writable: false));
            await using (decoder.ConfigureAwait(false))
            {
                var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
                try
                {
                    int read;
                    while ((read = await decoder.ReadAsync(scratch).ConfigureAwait(false)) > 0)
                    {
                        await output.AppendAsync(scratch.AsMemory(0, read)).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static Stream Decoder(string encoding, Stream source) => encoding == "deflate"
        ? new ZLibOrDeflateStream(source)
        : new GZipStream(source, CompressionMode.Decompress);

    /// <summary>Reads from the request body and keeps a copy of every byte read in the wire buffer.</summary>
    private sealed class TeeStream(Stream inner, BudgetedBuffer copy) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            await copy.AppendAsync(buffer[..read]).ConfigureAwait(false);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
