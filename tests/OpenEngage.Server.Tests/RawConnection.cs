using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenEngage.Server.Tests;

/// <summary>An HTTP/1.1 response read off a raw socket: status, headers (lower-case names) and body text.</summary>
public sealed record RawReply(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A TCP connection to a test server that sends exact bytes, for what <see cref="HttpClient"/> cannot
/// do: half-close, trickle a body, send a malformed chunk size.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(Uri server)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        client.NoDelay = true;
        return new RawConnection(client);
    }

    /// <summary>Request line and headers (lines joined with CRLF, a Host header added, blank line appended).</summary>
    public static byte[] Head(Uri server, string requestLine, params string[] headers)
    {
        var text = new StringBuilder(requestLine).Append("\r\nHost: 127.0.0.1:").Append(server.Port).Append("\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends, and returns false instead of throwing when the server has closed the connection.</summary>
    public async Task<bool> TrySendAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Shuts down the sending side (a FIN), as a client that writes and closes without reading.</summary>
    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// Reads one response (its body by Content-Length, or up to the end of the connection); null when the
    /// connection ends (or is reset) before a status line arrives, or nothing arrives within <paramref name="timeout"/>.
    /// </summary>
    public async Task<RawReply?> ReadReplyAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(received)) < 0)
        {
            var n = await ReadAsync(buffer, deadline.Token) ?? 0;
            if (n == 0)
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        var head = Encoding.ASCII.GetString([.. received.Take(headEnd)]).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }

        var body = received.Skip(headEnd + 4).ToList();
        int? length = headers.TryGetValue("content-length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
        while (length is null || body.Count < length)
        {
            var n = await ReadAsync(buffer, deadline.Token) ?? 0;
            if (n == 0)
            {
                break;
            }

            body.AddRange(buffer.AsSpan(0, n));
        }

        return new RawReply(status, headers, Encoding.UTF8.GetString([.. body]));
    }

    /// <summary>True when the server closes (or resets) the connection within <paramref name="timeout"/>, reading and discarding what it sends.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            var n = await ReadAsync(buffer, deadline.Token);
            if (n is null)
            {
                return !deadline.IsCancellationRequested;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    /// <summary>Bytes read; 0 at the end of the stream or on a reset; null when the deadline passed.</summary>
    private async Task<int?> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
