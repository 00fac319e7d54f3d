using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Compatibility.Tests;

/// <summary>
/// Clients that cannot be installed here, reproduced byte for byte: the request each official SDK builds
/// (method, path and query, headers, body encoding, JSON shape) and the exact answer it accepts as
/// success. Each fixture names the SDK source it follows.
/// </summary>
public sealed class WireFixtureTests
{
    private const string Token = RunningServer.Token;

    // 2023-11-14T22:13:20Z in seconds and milliseconds.
    private const string Seconds = "1700000000";
    private const string Milliseconds = "1700000000123";
    private const string LastSeen = "2023-11-14T22:13:20";

    // A run of '~' (0x7E) puts a '+' into any base64 of the JSON around it; several SDKs send that '+' unescaped.
    private const string Tildes = "~~~~~~ ok";

    /// <summary>
    /// mixpanel-python, <c>mixpanel/__init__.py</c>: <c>Mixpanel.people_update</c> adds <c>$token</c> and a float
    /// <c>$time</c> (<c>time.time()</c>), serialises with <c>json.dumps(separators=(',', ':'))</c> (ASCII only,
    /// <c>\uXXXX</c> escapes; datetimes as <c>%Y-%m-%dT%H:%M:%S</c>), and <c>Consumer._write_request</c> posts
    /// the form <c>data=&lt;plain JSON&gt;&amp;verbose=1&amp;ip=0</c> with requests, then requires
    /// <c>{"status":1,…}</c>. <c>BufferedConsumer</c> sends up to 50 records as a JSON array the same way.
    /// </summary>
    [Fact]
    public async Task Python_consumer_and_buffered_consumer()
    {
        await using var server = await RunningServer.StartAsync();
        const string pythonHead = """
            POST /engage HTTP/1.1
            User-Agent: python-requests/2.32.3
            Accept-Encoding: gzip, deflate
            Accept: */*
            Connection: keep-alive
            Content-Type: application/x-www-form-urlencoded
            """;

        var single = $$$"""{"$token":"{{{Token}}}","$time":1700000000.123456,"$distinct_id":"py-1","$set":{"$name":"Zo\u00eb Python","signed_up":"{{{LastSeen}}}","plan":"pro & more"}}""";
        var response = await RawHttp.SendAsync(server.Port, pythonHead, "data=" + FormEncode(single, "_.-~") + "&verbose=1&ip=0");
        Assert.Equal(200, response.Status);
        Assert.Equal("""{"status":1,"error":null}""", response.Text);

        var profile = await server.RequiredProfileAsync("py-1");
        Assert.Equal("Zoë Python", (string?)profile["$name"]);
        Assert.Equal("pro & more", (string?)profile["plan"]);
        Assert.Equal(LastSeen, (string?)profile["signed_up"]);
        Assert.Equal(LastSeen, (string?)profile["$created"]);
        Assert.Equal(LastSeen, (string?)profile["$last_seen"]);

        string[] buffered =
        [
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-1","$set_once":{"first_seen":"2023-01-01T00:00:00","plan":"ignored"}}""",
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-1","$add":{"logins":1,"spend":12.5}}""",
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-1","$union":{"tags":["a","b"]}}""",
            $$$$"""{"$token":"{{{{Token}}}}","$time":1700000001.5,"$distinct_id":"py-1","$append":{"$transactions":{"$amount":9.99}}}""",
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-1","$unset":["signed_up"]}""",
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-2","$set":{"x":1}}""",
            $$$"""{"$token":"{{{Token}}}","$time":1700000001.5,"$distinct_id":"py-2","$delete":""}""",
        ];
        response = await RawHttp.SendAsync(server.Port, pythonHead, "data=" + FormEncode("[" + string.Join(",", buffered) + "]", "_.-~") + "&verbose=1&ip=0");
        Assert.Equal(200, response.Status);
        Assert.Equal("""{"status":1,"error":null}""", response.Text);

        profile = await server.RequiredProfileAsync("py-1");
        Assert.Equal("pro & more", (string?)profile["plan"]);
        Assert.Equal("2023-01-01T00:00:00", (string?)profile["first_seen"]);
        Assert.Equal(1m, (decimal)profile["logins"]!);
        Assert.Equal(12.5m, (decimal)profile["spend"]!);
        AssertJson("""["a","b"]""", profile["tags"]);
        AssertJson("""[{"$amount":9.99}]""", profile["$transactions"]);
        Assert.False(profile.ContainsKey("signed_up"));
        Assert.Equal("2023-11-14T22:13:21", (string?)profile["$last_seen"]);
        Assert.Null(await server.ProfileAsync("py-2"));
    }

    /// <summary>
    /// mixpanel-csharp, <c>MixpanelClient.Http.cs</c> and <c>DefaultHttpClient.cs</c>: the body is
    /// <c>"data=" + Convert.ToBase64String(json)</c>, not URL-encoded, posted as <c>new StringContent(body)</c>
    /// (so <c>text/plain; charset=utf-8</c>) to <c>/engage?ip=0</c> (<c>MixpanelIpAddressHandling.IgnoreRequestIp</c>);
    /// success is a 2xx whose body is exactly <c>1</c>. <c>TimeParser.ParseUnix</c> sends <c>$time</c> in whole seconds.
    /// </summary>
    [Fact]
    public async Task CSharp_sdk_text_plain_raw_base64()
    {
        await using var server = await RunningServer.StartAsync();
        var json = $$$"""{"$set":{"$name":"C Sharp","motto":"{{{Tildes}}}","Level":5},"$token":"{{{Token}}}","$distinct_id":"cs-1","$time":{{{Seconds}}}}""";
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        Assert.Contains('+', base64);

        using var content = new StringContent("data=" + base64);
        Assert.Equal("text/plain; charset=utf-8", content.Headers.ContentType!.ToString());
        using var response = await server.Client.PostAsync($"http://127.0.0.1:{server.Port}/engage?ip=0", content);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());

        var profile = await server.RequiredProfileAsync("cs-1");
        Assert.Equal("C Sharp", (string?)profile["$name"]);
        Assert.Equal(Tildes, (string?)profile["motto"]);
        Assert.Equal(5m, (decimal)profile["Level"]!);
        Assert.Equal(LastSeen, (string?)profile["$last_seen"]);
    }

    /// <summary>
    /// mixpanel-java, <c>MixpanelAPI.java</c>: <c>deliver</c> posts to <c>/engage?ip=0</c> in batches of
    /// <c>Config.MAX_MESSAGE_SIZE</c> (50); <c>encodeDataString</c> is base64 then <c>URLEncoder.encode</c>; the body
    /// <c>data=…</c> goes with <c>Content-Type: application/x-www-form-urlencoded;charset=utf8</c>, optionally
    /// gzip-compressed (<c>useGzipCompression</c>) with <c>Content-Encoding: gzip</c>; success is exactly <c>1</c>.
    /// <c>MessageBuilder</c> stamps <c>$time</c> in milliseconds.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Java_sdk_form_base64_batches_of_50(bool gzip)
    {
        await using var server = await RunningServer.StartAsync();
        var prefix = gzip ? "java-gz" : "java";
        var records = Enumerable.Range(0, 50).Select(i =>
            $$$"""{"$set":{"n":{{{i}}},"motto":"{{{Tildes}}}"},"$distinct_id":"{{{prefix}}}-{{{i}}}","$token":"{{{Token}}}","$time":{{{Milliseconds}}}}""");
        var body = Encoding.UTF8.GetBytes("data=" + FormEncode(Base64("[" + string.Join(",", records) + "]"), ".-*_"));
        var head = """
            POST /engage?ip=0 HTTP/1.1
            Content-Type: application/x-www-form-urlencoded;charset=utf8
            User-Agent: Java/21.0.5
            Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2
            Connection: keep-alive
            """;
        if (gzip)
        {
            head += "\nContent-Encoding: gzip";
            body = Gzip(body);
        }

        var response = await RawHttp.SendAsync(server.Port, head, body);
        Assert.Equal(200, response.Status);
        Assert.Equal("1", response.Text);

        foreach (var i in new[] { 0, 49 })
        {
            var profile = await server.RequiredProfileAsync($"{prefix}-{i}");
            Assert.Equal(i, (int)profile["n"]!);
            Assert.Equal(Tildes, (string?)profile["motto"]);
            Assert.Equal(LastSeen, (string?)profile["$last_seen"]);
        }
    }

    /// <summary>
    /// mixpanel-ruby, <c>lib/mixpanel-ruby/consumer.rb</c>: <c>Consumer#send!</c> base64-encodes the message
    /// (<c>Base64.encode64(…).gsub("\n", '')</c>) into the form <c>{"data" =&gt; …, "verbose" =&gt; 1}</c>, which
    /// <c>Net::HTTP::Post#set_form_data</c> URL-encodes; success is HTTP 200 with JSON <c>status</c> 1.
    /// <c>BufferedConsumer</c> sends arrays of up to 50 (<c>MAX_LENGTH</c>); <c>People#update</c> adds
    /// <c>$token</c> and <c>$time</c> in milliseconds.
    /// </summary>
    [Fact]
    public async Task Ruby_buffered_consumer_form_base64_batch_of_50()
    {
        await using var server = await RunningServer.StartAsync();
        var records = Enumerable.Range(0, 50).Select(i => i % 2 == 0
            ? $$$"""{"$token":"{{{Token}}}","$time":{{{Milliseconds}}},"$distinct_id":"ruby-{{{i / 2}}}","$set":{"gem":"mixpanel-ruby","motto":"{{{Tildes}}}"}}"""
            : $$$"""{"$token":"{{{Token}}}","$time":{{{Milliseconds}}},"$distinct_id":"ruby-{{{i / 2}}}","$add":{"visits":{{{i}}}}}""");
        var response = await RawHttp.SendAsync(server.Port, """
            POST /engage HTTP/1.1
            Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3
            Accept: */*
            User-Agent: Ruby
            Content-Type: application/x-www-form-urlencoded
            """, "data=" + FormEncode(Base64("[" + string.Join(",", records) + "]"), "*-._") + "&verbose=1");
        Assert.Equal(200, response.Status);
        Assert.Equal("""{"status":1,"error":null}""", response.Text);

        foreach (var i in new[] { 0, 24 })
        {
            var profile = await server.RequiredProfileAsync($"ruby-{i}");
            Assert.Equal("mixpanel-ruby", (string?)profile["gem"]);
            Assert.Equal((2 * i) + 1, (int)profile["visits"]!);
        }
    }

    /// <summary>
    /// mixpanel-php, <c>lib/ConsumerStrategies/CurlConsumer.php</c>: <c>persist</c> builds
    /// <c>"data=" . base64_encode(json_encode($batch))</c> (<c>AbstractConsumer::_encode</c>) and hands it to cURL as
    /// <c>CURLOPT_POSTFIELDS</c>: a form body whose base64 is not URL-encoded, so <c>+</c> arrives literally;
    /// success is a body that trims to <c>1</c>. <c>MixpanelBaseProducer::flush</c> sends batches of 50;
    /// <c>json_encode</c> escapes <c>/</c> as <c>\/</c> and non-ASCII as <c>\uXXXX</c>.
    /// </summary>
    [Fact]
    public async Task Php_curl_consumer_raw_base64_batch_of_50()
    {
        await using var server = await RunningServer.StartAsync();
        var records = Enumerable.Range(0, 50).Select(i =>
            $$$"""{"$token":"{{{Token}}}","$distinct_id":"php-{{{i}}}","$time":{{{Milliseconds}}},"$set":{"url":"https:\/\/example.com\/p\/{{{i}}}","name":"Ren\u00e9e","motto":"{{{Tildes}}}","why":"??????"}}""");
        var base64 = Base64("[" + string.Join(",", records) + "]");
        Assert.Contains('+', base64);
        Assert.Contains('/', base64);
        var response = await RawHttp.SendAsync(server.Port, """
            POST /engage HTTP/1.1
            Accept: */*
            Content-Type: application/x-www-form-urlencoded
            """, "data=" + base64);
        Assert.Equal(200, response.Status);
        Assert.Equal("1", response.Text);

        foreach (var i in new[] { 0, 49 })
        {
            var profile = await server.RequiredProfileAsync($"php-{i}");
            Assert.Equal($"https://example.com/p/{i}", (string?)profile["url"]);
            Assert.Equal("Renée", (string?)profile["name"]);
            Assert.Equal(Tildes, (string?)profile["motto"]);
        }
    }

    /// <summary>
    /// mixpanel-android, <c>AnalyticsMessages.java</c> and <c>util/HttpService.java</c>: queued records go out
    /// in batches of up to 50 as <c>data=&lt;Base64Coder.encodeString(json array)&gt;</c> form-encoded with
    /// <c>Uri.Builder.appendQueryParameter</c>, POSTed to <c>/engage/?ip=1</c>; records carry
    /// <c>$device_id</c>, <c>$user_id</c>, <c>$had_persisted_distinct_id</c> and <c>$mp_metadata</c> beside the
    /// operation; success is <c>1</c>.
    /// </summary>
    [Fact]
    public async Task Android_form_base64_batch_of_50()
    {
        await using var server = await RunningServer.StartAsync();
        var records = Enumerable.Range(0, 50).Select(i =>
            $$$"""{"$set":{"$android_os":"Android","$android_app_version":"1.2.3","n":{{{i}}}},"$token":"{{{Token}}}","$time":{{{Milliseconds}}},"$distinct_id":"android-{{{i}}}","$device_id":"dev-{{{i}}}","$user_id":"android-{{{i}}}","$had_persisted_distinct_id":false,"$mp_metadata":{"$mp_event_id":"0a1b2c3d{{{i}}}","$mp_session_id":"s-1","$mp_session_seq_id":{{{i}}},"$mp_session_start_sec":{{{Seconds}}}}}""");
        var response = await RawHttp.SendAsync(server.Port, """
            POST /engage/?ip=1 HTTP/1.1
            User-Agent: Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240805.005)
            Connection: Keep-Alive
            Accept-Encoding: gzip
            Content-Type: application/x-www-form-urlencoded
            """, "data=" + FormEncode(Base64("[" + string.Join(",", records) + "]"), "_-!.~'()*", spaceAsPlus: false));
        Assert.Equal(200, response.Status);
        Assert.Equal("1", response.Text);

        foreach (var i in new[] { 0, 49 })
        {
            var profile = await server.RequiredProfileAsync($"android-{i}");
            Assert.Equal(i, (int)profile["n"]!);
            Assert.Equal("Android", (string?)profile["$android_os"]);
            Assert.False(profile.ContainsKey("$device_id"));
            Assert.False(profile.ContainsKey("$mp_metadata"));
        }
    }

    /// <summary>
    /// The HTTP API reference's curl example for profile updates: <c>POST /engage</c> with
    /// <c>accept: text/plain</c> and <c>content-type: application/json</c>, a JSON array of records — up to
    /// 2000 in one request; success is exactly <c>1</c>.
    /// </summary>
    [Fact]
    public async Task Docs_curl_json_array_of_2000()
    {
        await using var server = await RunningServer.StartAsync();
        var records = Enumerable.Range(0, 2000).Select(i =>
            $$$"""{"$token":"{{{Token}}}","$distinct_id":"curl-{{{i}}}","$set":{"n":{{{i}}},"source":"curl"}}""");
        var response = await RawHttp.SendAsync(server.Port, """
            POST /engage HTTP/1.1
            User-Agent: curl/8.5.0
            accept: text/plain
            content-type: application/json
            """, "[" + string.Join(",", records) + "]");
        Assert.Equal(200, response.Status);
        Assert.Equal("1", response.Text);
        Assert.StartsWith("text/plain", response.Headers["Content-Type"], StringComparison.Ordinal);

        foreach (var i in new[] { 0, 1999 })
        {
            var profile = await server.RequiredProfileAsync($"curl-{i}");
            Assert.Equal(i, (int)profile["n"]!);
            Assert.Equal("curl", (string?)profile["source"]);
        }
    }

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    /// <summary>Percent-encodes UTF-8 as form encoders do: letters, digits and <paramref name="unreserved"/> stay; a space becomes <c>+</c> (or <c>%20</c>).</summary>
    private static string FormEncode(string value, string unreserved, bool spaceAsPlus = true)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || unreserved.Contains(c, StringComparison.Ordinal))
            {
                encoded.Append(c);
            }
            else if (c == ' ' && spaceAsPlus)
            {
                encoded.Append('+');
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "nothing"}");
}
