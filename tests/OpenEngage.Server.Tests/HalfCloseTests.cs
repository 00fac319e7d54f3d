using System.Text;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, item 3: a client that writes a whole request and then shuts down its sending side
/// without reading the answer (PHP's socket consumer) still has its update applied.
/// </summary>
public sealed class HalfCloseTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("application/json", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("application/json", true)]
    public async Task A_request_sent_in_full_before_a_half_close_is_applied(string contentType, bool chunked)
    {
        var id = $"half-{contentType.Length}-{chunked}";
        var json = $$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$set":{"plan":"pro"}}]""";
        var body = Encoding.UTF8.GetBytes(contentType == "application/json" ? json : "data=" + Uri.EscapeDataString(json));
        byte[] request;
        if (chunked)
        {
            var framed = new List<byte>();
            framed.AddRange(RawConnection.Head(_server.Address, "POST /engage HTTP/1.1", $"Content-Type: {contentType}", "Transfer-Encoding: chunked"));
            framed.AddRange(Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"));
            framed.AddRange(body);
            framed.AddRange("\r\n0\r\n\r\n"u8.ToArray());
            request = [.. framed];
        }
        else
        {
            request = [.. RawConnection.Head(_server.Address, "POST /engage HTTP/1.1", $"Content-Type: {contentType}", $"Content-Length: {body.Length}"), .. body];
        }

        await using (var connection = await RawConnection.OpenAsync(_server.Address))
        {
            await connection.SendAsync(request);
            connection.ShutdownSend();

            // The client never reads; the server may close the connection before it has applied the
            // request, so the profile is looked for until it appears (or 30 s pass).
            await connection.ClosedWithinAsync(TimeSpan.FromSeconds(30));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var profile = await _server.ProfileAsync(id);
        while (profile is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            profile = await _server.ProfileAsync(id);
        }

        Assert.NotNull(profile);
        Assert.Equal("pro", (string?)profile["plan"]);
    }

    [Fact]
    public async Task A_body_cut_short_by_a_half_close_is_not_applied()
    {
        var json = $$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"half-cut","$set":{"plan":"pro"}}]""";
        var body = Encoding.UTF8.GetBytes(json);
        await using (var connection = await RawConnection.OpenAsync(_server.Address))
        {
            await connection.SendAsync([.. RawConnection.Head(_server.Address, "POST /engage HTTP/1.1", "Content-Type: application/json", $"Content-Length: {body.Length + 10}"), .. body]);
            connection.ShutdownSend();
            await connection.ClosedWithinAsync(TimeSpan.FromSeconds(30));
        }

        // A later request on another connection is applied after whatever the cut one did.
        var (status, _, _) = await _server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"half-after","$set":{"plan":"x"}}""");
        Assert.Equal(200, status);
        Assert.NotNull(await _server.ProfileAsync("half-after"));
        Assert.Null(await _server.ProfileAsync("half-cut"));
    }
}
