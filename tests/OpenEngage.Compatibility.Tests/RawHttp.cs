using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenEngage.Compatibility.Tests;

/// <summary>An HTTP/1.1 response as read off the socket.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>Sends exact request bytes over a TCP connection to the server and reads one response.</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> (request line and headers, each line ending in CRLF; the Host and
    /// Content-Length headers are added) followed by <paramref name="body"/>.
    /// </summary>
    public static Task<RawResponse> SendAsync(int port, string head, string body) =>
        SendAsync(port, head, Encoding.UTF8.GetBytes(body));

    public static async Task<RawResponse> SendAsync(int port, string head, byte[] body)
    {
        var request = new MemoryStream();
        var lines = head.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var text = new StringBuilder();
        text.Append(lines[0]).Append("\r\n");
        text.Append("Host: 127.0.0.1:").Append(port).Append("\r\n");
        foreach (var line in lines.Skip(1))
        {
            text.Append(line).Append("\r\n");
        }

        text.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        request.Write(Encoding.ASCII.GetBytes(text.ToString()));
        request.Write(body);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request.ToArray(), deadline.Token);
        return await ReadResponseAsync(stream, deadline.Token);
    }

    private static async Task<RawResponse> ReadResponseAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int headerEnd;
        while ((headerEnd = IndexOf(received.GetBuffer().AsSpan(0, (int)received.Length), "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the connection closed before the response headers ended");
            }

            received.Write(buffer, 0, read);
        }

        var all = received.ToArray();
        var headLines = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
        var status = int.Parse(headLines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in headLines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        if (!headers.TryGetValue("Content-Length", out var lengthText))
        {
            throw new IOException("the response has no Content-Length");
        }

        var length = int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture);
        var body = new MemoryStream();
        body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        while (body.Length < length)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the connection closed inside the response body");
            }

            body.Write(buffer, 0, read);
        }

        return new RawResponse(status, headers, body.ToArray()[..length]);
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
