using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, item 2: bodies in flight hold bounded memory. What a request holds while its body
/// arrives is the bytes it sent (not their decoded size), all requests together hold at most
/// <c>Ingestion:MaxBufferedBodyBytes</c>, and a body that stops making decoded progress (empty
/// deflate blocks) is cut off.
/// </summary>
public sealed class BodyMemoryTests
{
    private static string Record(string id) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$set":{"plan":"pro"}}""";

    /// <summary>A gzip member header followed by one non-final stored deflate block holding <paramref name="data"/>.</summary>
    private static byte[] GzipStart(byte[] data) =>
    [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
        0x00, (byte)data.Length, (byte)(data.Length >> 8), (byte)~data.Length, (byte)(~data.Length >> 8), .. data,
    ];

    /// <summary>An empty, non-final stored deflate block: bytes on the wire, nothing decoded.</summary>
    private static readonly byte[] EmptyBlock = [0x00, 0x00, 0x00, 0xff, 0xff];

    private static byte[] Chunk(byte[] data) => [.. Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), .. data, .. "\r\n"u8];

    [Fact]
    public async Task Empty_deflate_blocks_do_not_keep_a_body_alive()
    {
        await using var server = await RunningServer.StartAsync();
        await using var connection = await RawConnection.OpenAsync(server.Address);
        await connection.SendAsync([
            .. RawConnection.Head(server.Address, "POST /engage HTTP/1.1", "Content-Type: application/json", "Content-Encoding: gzip", "Transfer-Encoding: chunked"),
            .. Chunk(GzipStart("[ "u8.ToArray())),
        ]);

        // 60 wire bytes every 100 ms (600 bytes/s, above Kestrel's own floor of 240), none of them decoded.
        var block = Chunk([.. Enumerable.Repeat(EmptyBlock, 11).SelectMany(b => b)]);
        var started = DateTime.UtcNow;
        var cutOff = false;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(40))
        {
            if (!await connection.TrySendAsync(block))
            {
                cutOff = true;
                break;
            }

            await Task.Delay(100);
        }

        var reply = await connection.ReadReplyAsync(TimeSpan.FromSeconds(5));
        Assert.True(cutOff || reply is not null, "the server still waited for the body after 40 s of empty deflate blocks");
        if (reply is not null)
        {
            Assert.Equal(408, reply.Status);
            Assert.Contains("slowly", (string)JsonNode.Parse(reply.Body)!["error"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bodies_in_flight_share_one_budget_and_a_request_over_it_is_503()
    {
        await using var server = await RunningServer.StartAsync("Ingestion:MaxBufferedBodyBytes=65536", "Ingestion:MinBodyBytesPerSecond=0");
        var slowBody = Encoding.UTF8.GetBytes($"[{Record("slow")}{new string(' ', 60_000)}]");
        await using var slow = await RawConnection.OpenAsync(server.Address);
        await slow.SendAsync([
            .. RawConnection.Head(server.Address, "POST /engage HTTP/1.1", "Content-Type: application/json", $"Content-Length: {slowBody.Length}"),
            .. slowBody.AsSpan(0, 55_000),
        ]);

        // The slow body holds 55,000 of the 65,536 bytes (once the server has read them): a
        // 20,000-byte body does not fit.
        var padded = $"[{Record("padded")}{new string(' ', 20_000)}]";
        var refused = await server.PostJsonAsync(padded);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            refused = await server.PostJsonAsync(padded);
            if (refused.Status != 200)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(503, refused.Status);
        Assert.Equal(0, (int)JsonNode.Parse(refused.Body)!["status"]!);
        Assert.NotNull(refused.Response.Headers.RetryAfter);

        // A small body still fits beside it, and once the slow body is complete both apply.
        Assert.Equal(200, (await server.PostJsonAsync(Record("small"))).Status);
        await slow.SendAsync(slowBody[55_000..]);
        var reply = await slow.ReadReplyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((200, "1"), (reply?.Status, reply?.Body));
        Assert.Equal(200, (await server.PostJsonAsync(padded)).Status);
        Assert.NotNull(await server.ProfileAsync("slow"));
        Assert.NotNull(await server.ProfileAsync("padded"));
    }

    [Fact]
    public async Task A_compressed_body_in_flight_holds_its_wire_bytes_not_its_decoded_size()
    {
        await using var server = await RunningServer.StartAsync("Ingestion:MaxBufferedBodyBytes=1048576", "Ingestion:MinBodyBytesPerSecond=0");

        // About 5 KB of gzip that decodes to 5 MB of white space, then no end: held open.
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write("["u8);
            gzip.Write(new byte[5 * 1024 * 1024].Select(_ => (byte)' ').ToArray());
            gzip.Flush();
        }

        var start = compressed.ToArray();
        start = start[..^8];
        await using var slow = await RawConnection.OpenAsync(server.Address);
        await slow.SendAsync([
            .. RawConnection.Head(server.Address, "POST /engage HTTP/1.1", "Content-Type: application/json", "Content-Encoding: gzip", "Transfer-Encoding: chunked"),
            .. Chunk(start),
        ]);

        // Were the 5 MB held, every body would be over the 1 MiB budget.
        for (var i = 0; i < 5; i++)
        {
            var (status, _, _) = await server.PostJsonAsync($"[{Record($"beside-{i}")}{new string(' ', 100_000)}]");
            Assert.Equal(200, status);
            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData("Ingestion:MaxBufferedBodyBytes=0", "MaxBufferedBodyBytes")]
    [InlineData("Ingestion:MinBodyBytesPerSecond=-1", "MinBodyBytesPerSecond")]
    [InlineData("Query:MaxSessionBytes=0", "MaxSessionBytes")]
    public async Task A_bad_limit_stops_the_server_at_start(string setting, string name)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var server = await RunningServer.StartAsync(setting);
        });
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }
}
