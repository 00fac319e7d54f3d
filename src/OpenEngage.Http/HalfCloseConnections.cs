using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OpenEngage.Http;

/// <summary>
/// Applies a request whose bytes all arrived although its client then shut down its sending side
/// (a FIN) without reading the answer, as socket-level SDK consumers do.
/// </summary>
/// <remarks>
/// Kestrel's Content-Length body reader fails with "unexpected end of request content" whenever
/// the connection's input has ended, even when the whole body is already buffered. This connection
/// middleware hands Kestrel an input that reports its end only once Kestrel has looked at every
/// byte before it: a complete body is read as usual, a body cut short still fails when its reader
/// reaches the end of what arrived.
/// </remarks>
public static class HalfCloseConnections
{
    public static void ApplyFullySentRequests(this KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            connection.Transport = new Transport(connection.Transport);
            return next(connection);
        }));
    }

    private sealed class Transport(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input { get; } = new LateEndReader(inner.Input);

        public PipeWriter Output => inner.Output;
    }

    /// <summary>Reports the end of the input only when the reader has examined everything before it.</summary>
    private sealed class LateEndReader(PipeReader inner) : PipeReader
    {
        private SequencePosition _end;
        private SequencePosition _examined;
        private bool _examinedAll;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Hide(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            result = Hide(result);
            return true;
        }

        private ReadResult Hide(ReadResult result)
        {
            _end = result.Buffer.End;
            var seenAll = result.Buffer.IsEmpty || (_examinedAll && _examined.Equals(_end));
            return result.IsCompleted && !seenAll ? new ReadResult(result.Buffer, result.IsCanceled, isCompleted: false) : result;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            _examined = examined;
            _examinedAll = examined.Equals(_end);
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
