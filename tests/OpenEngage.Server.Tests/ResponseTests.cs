using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §6: the shapes of the ingestion responses.</summary>
public sealed class ResponseTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const string Valid = $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"r1","$set":{"a":1}}""";
    private const string Invalid = $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"r2","$add":{"credits":"lots"}}""";
    private const string UnknownToken = """{"$token":"nobody","$distinct_id":"r3","$set":{"a":1}}""";

    [Fact]
    public async Task Default_answer_is_exactly_1_or_0_as_text()
    {
        var (status, body, response) = await _server.PostJsonAsync($"[{Valid},{Invalid}]");
        Assert.Equal((200, "1"), (status, body));
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);

        (status, body, _) = await _server.PostJsonAsync($"[{Invalid},{UnknownToken}]");
        Assert.Equal((200, "0"), (status, body));
    }

    [Fact]
    public async Task Unknown_token_makes_the_record_invalid()
    {
        var (_, body, _) = await _server.PostJsonAsync(UnknownToken + "", "/engage?verbose=1");
        var json = JsonNode.Parse(body)!;
        Assert.Equal(0, (int)json["status"]!);
        Assert.Contains("unknown project token", (string)json["error"]!, StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("r3"));
    }

    [Fact]
    public async Task Verbose_1_and_2()
    {
        var (status, body, _) = await _server.PostJsonAsync(Valid, "/engage?verbose=1");
        Assert.Equal((200, """{"status":1,"error":null}"""), (status, body));

        (status, body, _) = await _server.PostJsonAsync(Invalid, "/engage?verbose=1");
        Assert.Equal(200, status);
        Assert.Contains("$add.credits", (string)JsonNode.Parse(body)!["error"]!, StringComparison.Ordinal);

        (status, body, _) = await _server.PostJsonAsync(Invalid, "/engage?verbose=2");
        Assert.Equal(400, status);
        Assert.Equal(0, (int)JsonNode.Parse(body)!["status"]!);

        (status, _, _) = await _server.PostJsonAsync(Valid, "/engage?verbose=2");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Strict_reports_every_failed_record_and_warning()
    {
        var longName = new string('n', 300);
        var warned = $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"r4","$set":{"{{{longName}}}":"v"}}""";
        var (status, body, _) = await _server.PostJsonAsync($"[{Valid},{Invalid},{warned},{UnknownToken}]", "/engage?strict=1");
        Assert.Equal(400, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(400, (int)json["code"]!);
        Assert.Equal("Bad Request", (string)json["status"]!);
        Assert.Equal(2, (int)json["num_records_imported"]!);
        var failed = json["failed_records"]!.AsArray();
        Assert.Equal(2, failed.Count);
        Assert.Equal(1, (int)failed[0]!["index"]!);
        Assert.Equal("r2", (string)failed[0]!["$distinct_id"]!);
        Assert.Equal("$add.credits", (string)failed[0]!["field"]!);
        Assert.Equal(3, (int)failed[1]!["index"]!);
        Assert.Equal("$token", (string)failed[1]!["field"]!);
        var warning = Assert.Single(json["warnings"]!.AsArray());
        Assert.Equal(2, (int)warning!["index"]!);
        Assert.Contains("truncated", (string)warning["message"]!, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)json["error"]));
    }

    [Fact]
    public async Task Strict_with_every_record_valid_is_200()
    {
        var (status, body, _) = await _server.PostJsonAsync($"[{Valid}]", "/engage?strict=1");
        Assert.Equal(200, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(200, (int)json["code"]!);
        Assert.Equal("OK", (string)json["status"]!);
        Assert.Equal(1, (int)json["num_records_imported"]!);
        Assert.Empty(json["failed_records"]!.AsArray());
    }

    [Theory]
    [InlineData("cb")]
    [InlineData("a.b")]
    [InlineData("mixpanel._jsc[12345]")]
    [InlineData("$jsonp_1")]
    public async Task Jsonp_wraps_the_answer(string callback)
    {
        var (status, body, response) = await _server.PostJsonAsync(Valid, "/engage?callback=" + Uri.EscapeDataString(callback));
        Assert.Equal(200, status);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"{callback}(1)", body);

        (_, body, _) = await _server.PostJsonAsync(Valid, "/engage?verbose=1&callback=" + Uri.EscapeDataString(callback));
        Assert.Equal($$$"""{{{callback}}}({"status":1,"error":null})""", body);
    }

    [Theory]
    [InlineData("alert(1)//")]
    [InlineData("a b")]
    [InlineData("<script>")]
    [InlineData("a.")]
    [InlineData("x[1]];evil()")]
    public async Task Unsafe_callbacks_are_refused_and_nothing_applies(string callback)
    {
        var record = $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"jsonp-evil","$set":{"a":1}}""";
        var (status, body, response) = await _server.PostJsonAsync(record, "/engage?callback=" + Uri.EscapeDataString(callback));
        Assert.Equal(400, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain(callback + "(", body, StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("jsonp-evil"));
    }
}
