using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §1: limits and malformed requests refuse the whole request; nothing of it applies.</summary>
public sealed class RequestLimitTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Record(string id) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$set":{"x":1}}""";

    private static string ErrorOf(string body)
    {
        var json = JsonNode.Parse(body)!;
        Assert.Equal(0, (int)json["status"]!);
        return (string)json["error"]!;
    }

    [Fact]
    public async Task Two_thousand_records_are_accepted()
    {
        var records = string.Join(",", Enumerable.Range(0, 2000).Select(i => Record($"ok-{i}")));
        var (status, body, _) = await _server.PostJsonAsync($"[{records}]");
        Assert.Equal((200, "1"), (status, body));
        Assert.NotNull(await _server.ProfileAsync("ok-1999"));
    }

    [Fact]
    public async Task More_than_two_thousand_records_is_400_and_nothing_applies()
    {
        var records = string.Join(",", Enumerable.Range(0, 2001).Select(i => Record($"many-{i}")));
        var (status, body, _) = await _server.PostJsonAsync($"[{records}]");
        Assert.Equal(400, status);
        Assert.Contains("2000", ErrorOf(body), StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("many-0"));
    }

    [Fact]
    public async Task A_record_over_one_megabyte_is_413_and_nothing_applies()
    {
        var huge = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"k{i}\":\"{new string('y', 200)}\""));
        var json = $$$"""[{{{Record("small-before")}}},{"$token":"{{{RunningServer.Token}}}","$distinct_id":"huge","$set":{{{{huge}}}}}]""";
        var (status, body, _) = await _server.PostJsonAsync(json);
        Assert.Equal(413, status);
        Assert.Contains("record 1", ErrorOf(body), StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("small-before"));
    }

    [Fact]
    public async Task A_body_over_ten_megabytes_is_413()
    {
        var padding = new string(' ', 10 * 1024 * 1024);
        var (status, body, _) = await _server.PostJsonAsync($"[{Record("padded")}{padding}]");
        Assert.Equal(413, status);
        Assert.Contains("limit", ErrorOf(body), StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("padded"));
    }

    [Theory]
    [InlineData("[{\"$token\":")]
    [InlineData("{not json}")]
    [InlineData("[1,2")]
    public async Task Malformed_json_is_a_clear_400(string json)
    {
        var (status, body, response) = await _server.PostJsonAsync(json);
        Assert.Equal(400, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("JSON", ErrorOf(body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data=%%%not-base64%%%")]
    [InlineData("data=42")]
    [InlineData("data=")]
    [InlineData("")]
    public async Task Malformed_data_is_a_clear_400(string form)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(ErrorOf(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_root_that_is_neither_array_nor_object_is_400()
    {
        using var content = new FormUrlEncodedContent([new("data", Convert.ToBase64String("\"just a string\""u8.ToArray()))]);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("array", ErrorOf(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_are_configurable()
    {
        await using var server = await RunningServer.StartAsync("Ingestion:MaxRecordsPerRequest=2");
        var (status, _, _) = await server.PostJsonAsync($"[{Record("c1")},{Record("c2")},{Record("c3")}]");
        Assert.Equal(400, status);
        var (ok, body, _) = await server.PostJsonAsync($"[{Record("c1")},{Record("c2")}]");
        Assert.Equal((200, "1"), (ok, body));
    }
}
