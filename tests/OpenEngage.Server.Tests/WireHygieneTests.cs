using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Issue 12, item 10 on the wire: JSONP names, nosniff, a byte-order mark, a chunk size that overflows.</summary>
public sealed class WireHygieneTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Record(string id) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$set":{"plan":"pro"}}""";

    [Theory]
    [InlineData("cb\n")]
    [InlineData("cb\r\n")]
    [InlineData("a.b\n")]
    public async Task A_callback_with_a_trailing_newline_is_refused(string callback)
    {
        using var response = await _server.Client.GetAsync($"/engage?callback={Uri.EscapeDataString(callback)}&data=" + Uri.EscapeDataString(Record("jsonp-nl")));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.DoesNotContain(callback, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("jsonp-nl"));
    }

    [Theory]
    [InlineData("/engage?data=x")]
    [InlineData("/")]
    [InlineData("/api/query/engage")]
    [InlineData("/no-such-path")]
    public async Task Every_answer_says_nosniff(string path)
    {
        using var response = await _server.Client.GetAsync(path);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task A_byte_order_mark_before_a_json_body_is_accepted(string contentType)
    {
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($"[{Record("bom")}]")]);
        content.Headers.ContentType = new(contentType);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        Assert.NotNull(await _server.ProfileAsync("bom"));
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF")]
    [InlineData("10000000000000000")]
    public async Task An_overflowing_chunk_size_is_400(string size)
    {
        await using var connection = await RawConnection.OpenAsync(_server.Address);
        await connection.SendAsync([
            .. RawConnection.Head(_server.Address, "POST /engage HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: chunked"),
            .. Encoding.ASCII.GetBytes($"{size}\r\n[{Record("chunk")}]\r\n0\r\n\r\n"),
        ]);
        var reply = await connection.ReadReplyAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(reply);
        Assert.True(reply.Status == 400, reply.Status + " " + reply.Body + string.Join(";", reply.Headers));
        if (reply.Body.Length > 0)
        {
            Assert.Equal(0, (int)JsonNode.Parse(reply.Body)!["status"]!);
        }
    }
}
