using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace OpenEngage.Http;

/// <summary>
/// Kestrel's limits for the ingestion endpoints, from <see cref="IngestionLimitsOptions"/> (Kestrel's
/// own <c>KestrelServerOptionsSetup</c> pattern): room in the request line and headers for the largest
/// record sent by GET, no body limit of Kestrel's (the edge enforces its own after decoding), and a
/// request whose body was fully sent is answered even when the client half-closes.
/// </summary>
public sealed class HttpEdgeKestrelSetup(IOptions<IngestionLimitsOptions> ingestion) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = ingestion.Value;
        // GET requests carry whole records in the URL, percent-encoded base64 or JSON: room for
        // the largest record three times over.
        options.Limits.MaxRequestLineSize = (limits.MaxRecordBytes * 3) + (64 * 1024);
        options.Limits.MaxRequestHeadersTotalSize = options.Limits.MaxRequestLineSize + (64 * 1024);
        options.Limits.MaxRequestBufferSize = options.Limits.MaxRequestHeadersTotalSize;
        // The body limit is enforced while reading, after Content-Encoding is undone.
        options.Limits.MaxRequestBodySize = null;
        options.ApplyFullySentRequests();
    }
}
