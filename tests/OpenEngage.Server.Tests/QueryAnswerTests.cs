using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, items 10, 11 and 17 on the query API: UTF-8 answers, one key per output property,
/// a session's page size, refused Mixpanel parameters we do not implement, and string constants
/// with lone surrogates.
/// </summary>
public sealed class QueryAnswerTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        var records = string.Join(",", Enumerable.Range(0, 5).Select(i =>
            $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"u{{{i}}}","$set":{"city":"Tōkyō","n":{{{i}}},"mark":"\ufffd"}}"""));
        Assert.Equal(200, (await _server.PostJsonAsync($"[{records}]")).Status);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int Status, string Body)> GetAsync(string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?" + query);
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        using var response = await _server.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Non_ascii_text_is_written_as_utf8()
    {
        var (status, body) = await GetAsync("distinct_id=u1");
        Assert.Equal(200, status);
        Assert.Contains("\"city\":\"Tōkyō\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_output_property_is_one_key()
    {
        var names = Uri.EscapeDataString("[\"n\",\"city\",\"n\"]");
        var (status, body) = await GetAsync($"distinct_id=u1&output_properties={names}");
        Assert.Equal(200, status);
        var properties = body[body.IndexOf("\"$properties\"", StringComparison.Ordinal)..];
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(properties, "\"n\":"));
        Assert.Equal(1, (int)JsonNode.Parse(body)!["results"]![0]!["$properties"]!["n"]!);
    }

    [Fact]
    public async Task Later_pages_keep_the_sessions_page_size()
    {
        var (_, first) = await GetAsync("page_size=2&sort_key=" + Uri.EscapeDataString("properties[\"n\"]") + "&sort_order=ascending");
        var page0 = JsonNode.Parse(first)!;
        Assert.Equal(2, page0["results"]!.AsArray().Count);
        var session = (string)page0["session_id"]!;

        var (status, second) = await GetAsync($"page=1&session_id={session}&sort_key=" + Uri.EscapeDataString("properties[\"n\"]") + "&sort_order=ascending");
        Assert.Equal(200, status);
        var page1 = JsonNode.Parse(second)!;
        Assert.Equal(2, (int)page1["page_size"]!);
        Assert.Equal(["u2", "u3"], page1["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!));
    }

    [Theory]
    [InlineData("behaviors", "[]")]
    [InlineData("include_all_users", "true")]
    public async Task An_unsupported_parameter_is_400_naming_it(string name, string value)
    {
        var (status, body) = await GetAsync($"{name}={Uri.EscapeDataString(value)}");
        Assert.Equal(400, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("error", (string)json["status"]!);
        Assert.Contains(name, (string)json["error"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("properties[\"mark\"] == \"\\ud800\"")]
    [InlineData("properties[\"mark\"] != \"\\ud800\"")]
    [InlineData("\"\\udfff\" in properties[\"mark\"]")]
    public async Task A_lone_surrogate_constant_does_not_match_the_replacement_character(string where)
    {
        var (status, body) = await GetAsync("where=" + Uri.EscapeDataString(where));
        Assert.Equal(200, status);
        var expected = where.Contains("!=", StringComparison.Ordinal) ? 5 : 0;
        Assert.Equal(expected, (int)JsonNode.Parse(body)!["total"]!);
    }

    [Fact]
    public async Task The_replacement_character_still_matches_itself()
    {
        var (status, body) = await GetAsync("where=" + Uri.EscapeDataString("properties[\"mark\"] == \"\\ufffd\""));
        Assert.Equal(200, status);
        Assert.Equal(5, (int)JsonNode.Parse(body)!["total"]!);
    }

    [Fact]
    public async Task Jsonp_answers_stay_valid_script()
    {
        // A strict JSONP answer that carries text a client sent: U+2028 and '<' are escaped.
        var record = $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"j","$bogus\u2028</script>":{}}""";
        using var response = await _server.Client.GetAsync("/engage?strict=1&callback=cb&data=" + Uri.EscapeDataString(record));
        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("cb(", body, StringComparison.Ordinal);
        Assert.DoesNotContain('\u2028', body);
        Assert.DoesNotContain("<", body, StringComparison.Ordinal);
    }
}
