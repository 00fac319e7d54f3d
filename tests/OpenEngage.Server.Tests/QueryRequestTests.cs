using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, items 6 and 8: the query API checks credentials before it reads a body, reads only a
/// bounded URL-encoded form, and answers every bad request with a 4xx JSON error, never a 500.
/// </summary>
public sealed class QueryRequestTests : IAsyncLifetime
{
    private const string Path = "/api/query/engage";

    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        var (status, _, _) = await _server.PostJsonAsync($$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"q1","$set":{"city":"Tōkyō","n":1}}]""");
        Assert.Equal(200, status);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int Status, string Error)> SendAsync(HttpContent content, bool authenticated = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        if (authenticated)
        {
            request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        }

        using var response = await _server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var json = JsonNode.Parse(body)!;
        return ((int)response.StatusCode, json["status"]!.GetValue<string>() == "error" ? (string)json["error"]! : "");
    }

    private Task<(int Status, string Error)> FormAsync(params (string Name, string Value)[] fields) =>
        SendAsync(new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    [Fact]
    public async Task Credentials_are_checked_before_the_body_is_read()
    {
        // A form of 100 MB is announced and never sent: the 401 comes without waiting for it.
        await using var connection = await RawConnection.OpenAsync(_server.Address);
        await connection.SendAsync([
            .. RawConnection.Head(_server.Address, $"POST {Path} HTTP/1.1", "Content-Type: multipart/form-data; boundary=x", "Content-Length: 104857600"),
            .. "--x\r\n"u8,
        ]);
        var reply = await connection.ReadReplyAsync(TimeSpan.FromSeconds(4));
        Assert.NotNull(reply);
        Assert.Equal(401, reply.Status);
        Assert.Equal("error", (string)JsonNode.Parse(reply.Body)!["status"]!);
    }

    [Fact]
    public async Task Multipart_is_415()
    {
        using var content = new MultipartFormDataContent { { new StringContent("q1"), "distinct_id" } };
        var (status, error) = await SendAsync(content);
        Assert.Equal(415, status);
        Assert.Contains("x-www-form-urlencoded", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_multipart_is_415()
    {
        using var content = new ByteArrayContent("--b\r\nContent-Disposition: form-da"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        var (status, _) = await SendAsync(content);
        Assert.Equal(415, status);
    }

    [Fact]
    public async Task A_form_over_its_limit_is_413()
    {
        var (status, error) = await FormAsync(("distinct_id", "q1"), ("padding", new string('x', 2 * 1024 * 1024)));
        Assert.Equal(413, status);
        Assert.Contains("bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_1024_fields_is_400()
    {
        var fields = Enumerable.Range(0, 1100).Select(i => ($"f{i}", "1")).Prepend(("distinct_id", "q1")).ToArray();
        var (status, error) = await FormAsync(fields);
        Assert.Equal(400, status);
        Assert.Contains("fields", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_1024_query_string_fields_is_400()
    {
        var query = string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Path}?distinct_id=q1&{query}");
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        using var response = await _server.Client.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("error", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!);
    }

    [Fact]
    public async Task A_huge_field_name_is_400()
    {
        var (status, _) = await FormAsync(("distinct_id", "q1"), (new string('k', 5000), "1"));
        Assert.Equal(400, status);
    }

    [Theory]
    [InlineData("distinct_id", "a\0b")]
    [InlineData("distinct_ids", "[\"a\\u0000b\"]")]
    [InlineData("output_properties", "[\"a\\u0000b\"]")]
    [InlineData("where", "properties[\"a\\u0000b\"] == 1")]
    [InlineData("where", "properties[\"a\"] == \"x\\u0000\"")]
    [InlineData("sort_key", "properties[\"a\\u0000\"]")]
    [InlineData("session_id", "s\0")]
    [InlineData("data_group_id", "g\0")]
    public async Task A_nul_character_in_a_field_is_400(string name, string value)
    {
        var (status, error) = await FormAsync((name, value));
        Assert.Equal(400, status);
        Assert.Contains(name, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("distinct_ids", "[\"\\ud800\"]")]
    [InlineData("distinct_ids", "[\"a\\udc00b\"]")]
    [InlineData("output_properties", "[\"\\ud83d\"]")]
    public async Task A_lone_surrogate_in_a_list_is_400(string name, string value)
    {
        var (status, error) = await FormAsync((name, value));
        Assert.Equal(400, status);
        Assert.Contains(name, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_where_over_2000_properties_is_400()
    {
        var where = Balanced(Enumerable.Range(0, 2001).Select(i => $"defined(properties[\"p{i}\"])").ToList());
        var (status, error) = await FormAsync(("where", where));
        Assert.Equal(400, status);
        Assert.Contains("where", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_where_with_20000_constants_is_400()
    {
        var where = Balanced(Enumerable.Range(0, 20_000).Select(i => $"properties[\"n\"] == {i}").ToList());
        var (status, error) = await FormAsync(("where", where));
        Assert.Equal(400, status);
        Assert.Contains("where", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_where_within_the_bounds_is_answered()
    {
        var where = Balanced(Enumerable.Range(0, 200).Select(i => $"properties[\"n\"] == {i}").ToList());
        var (status, _) = await FormAsync(("where", where));
        Assert.Equal(200, status);
    }

    /// <summary>The terms joined by <c>or</c> as a balanced tree, so its depth stays within the parser's limit.</summary>
    private static string Balanced(List<string> terms) => terms.Count == 1
        ? terms[0]
        : $"({Balanced(terms[..(terms.Count / 2)])}) or ({Balanced(terms[(terms.Count / 2)..])})";

    [Fact]
    public async Task A_huge_value_is_413_or_400_with_json()
    {
        var (status, _) = await FormAsync(("distinct_ids", "[" + string.Join(",", Enumerable.Range(0, 200_000).Select(i => $"\"id-{i}\"")) + "]"));
        Assert.InRange(status, 400, 413);
    }
}
