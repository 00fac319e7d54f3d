using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §1: every way a batch of records reaches /engage.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Record(string id, string plan) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$set":{"plan":"{{{plan}}}"}}""";

    private async Task AssertPlan(string id, string plan)
    {
        var profile = await _server.ProfileAsync(id);
        Assert.NotNull(profile);
        Assert.Equal(plan, (string?)profile["plan"]);
    }

    [Fact]
    public async Task Json_array_body()
    {
        var (status, body, _) = await _server.PostJsonAsync($"[{Record("a1", "pro")},{Record("a2", "free")}]");
        Assert.Equal((200, "1"), (status, body));
        await AssertPlan("a1", "pro");
        await AssertPlan("a2", "free");
    }

    [Fact]
    public async Task Json_object_body()
    {
        var (status, body, _) = await _server.PostJsonAsync(Record("o1", "pro"));
        Assert.Equal((200, "1"), (status, body));
        await AssertPlan("o1", "pro");
    }

    [Fact]
    public async Task Form_body_with_plain_json()
    {
        using var content = new FormUrlEncodedContent([new("data", $"[{Record("f1", "pro")}]")]);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        await AssertPlan("f1", "pro");
    }

    [Fact]
    public async Task Form_body_with_raw_base64_keeps_a_literal_plus()
    {
        // Find a value whose base64 has a '+', as SDKs write it unencoded into a form body.
        string json, base64;
        var n = 0;
        do
        {
            json = $"[{Record("plus", "p>" + new string('?', n++ % 7) + "~" + n)}]";
            base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        }
        while (!base64.Contains('+', StringComparison.Ordinal));

        using var content = new StringContent("data=" + base64, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        var expected = JsonNode.Parse(json)![0]!["$set"]!["plan"]!.GetValue<string>();
        await AssertPlan("plus", expected);
    }

    [Fact]
    public async Task Text_plain_body_with_data_parameter()
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes($"[{Record("t1", "pro")}]"));
        using var content = new StringContent("data=" + base64, Encoding.UTF8, "text/plain");
        using var response = await _server.Client.PostAsync("/engage?ip=0", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        await AssertPlan("t1", "pro");
    }

    [Fact]
    public async Task Base64_in_the_url_safe_alphabet_without_padding()
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes($"[{Record("u1", "p?>~?>~")}]"))
            .Replace('+', '-').Replace('/', '_').TrimEnd('=');
        using var content = new FormUrlEncodedContent([new("data", base64)]);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        await AssertPlan("u1", "p?>~?>~");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_with_data_in_the_query(bool base64)
    {
        var json = $"[{Record("g1", base64 ? "b64" : "plain")}]";
        var data = base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(json)) : json;
        using var response = await _server.Client.GetAsync("/engage?data=" + Uri.EscapeDataString(data) + "&_=12345&api_key=x&img=1");
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        await AssertPlan("g1", base64 ? "b64" : "plain");
    }

    [Theory]
    [InlineData("/engage/")]
    [InlineData("/engage%23profile-set")]
    [InlineData("/engage/%23profile-batch-update")]
    public async Task Trailing_slash_and_encoded_fragment(string path)
    {
        var id = "path" + path.Length;
        var (status, body, _) = await _server.PostJsonAsync(Record(id, "pro"), path);
        Assert.Equal((200, "1"), (status, body));
        await AssertPlan(id, "pro");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    public async Task Compressed_bodies(string encoding)
    {
        var id = "z-" + encoding;
        var raw = Encoding.UTF8.GetBytes($"[{Record(id, encoding)}]");
        var compressed = new MemoryStream();
        using (Stream stream = encoding switch
        {
            "gzip" => new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
            _ => new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            stream.Write(raw);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add(encoding == "raw-deflate" ? "deflate" : encoding);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        await AssertPlan(id, encoding);
    }

    [Fact]
    public async Task Corrupt_gzip_is_a_clear_400()
    {
        using var content = new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8]);
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gzip", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameters_are_read_from_the_form_body()
    {
        using var content = new FormUrlEncodedContent([new("data", $"[{Record("fp", "pro")}]"), new("verbose", "1"), new("ip", "0")]);
        using var response = await _server.Client.PostAsync("/engage", content);
        Assert.Equal("""{"status":1,"error":null}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_url_carrying_a_record_near_the_one_megabyte_limit()
    {
        // 1900 properties with 240-character names and values: a valid record of about 0.9 MB,
        // sent the way the Node SDK sends every update, base64 in the query string.
        var value = new string('x', 240);
        var properties = string.Join(",", Enumerable.Range(0, 1900).Select(i => $"\"{i:D4}{new string('k', 236)}\":\"{value}\""));
        var json = $$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"big-get","$set":{{{{properties}}}}}]""";
        Assert.InRange(json.Length, 900_000, 1_000_000);
        var data = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        using var response = await _server.Client.GetAsync("/engage?data=" + Uri.EscapeDataString(data));
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        var profile = await _server.ProfileAsync("big-get");
        Assert.Equal(value, (string?)profile!["1899" + new string('k', 236)]);
    }

    [Fact]
    public async Task Cors_preflight_echoes_the_origin_with_credentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/engage");
        request.Headers.Add("Origin", "http://app.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await _server.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("http://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_on_a_simple_request_echoes_the_origin_never_star()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/engage")
        {
            Content = new StringContent($"data={Uri.EscapeDataString(Record("cors", "pro"))}", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Origin", "http://other.example:8080");
        using var response = await _server.Client.SendAsync(request);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
        Assert.Equal("http://other.example:8080", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }
}
