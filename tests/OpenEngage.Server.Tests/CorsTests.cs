namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, item 5: credentialed CORS (the request's Origin echoed with
/// <c>Access-Control-Allow-Credentials</c>) belongs to the ingestion endpoints only; the query API
/// gives other origins nothing, so a web page cannot read profiles with a browser's cached credentials.
/// </summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string Origin = "https://pages.example";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpRequestMessage Preflight(string path, string method)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("/engage")]
    [InlineData("/engage/")]
    [InlineData("/groups")]
    [InlineData("/groups/")]
    public async Task Ingestion_endpoints_answer_credentialed_cors(string path)
    {
        using var preflight = await _server.Client.SendAsync(Preflight(path, "POST"));
        Assert.True(preflight.IsSuccessStatusCode);
        Assert.Equal(Origin, Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(preflight, "Access-Control-Allow-Credentials"));

        using var request = new HttpRequestMessage(HttpMethod.Get, path + "?data=" + Uri.EscapeDataString($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"cors","$set":{"a":1}}"""));
        request.Headers.Add("Origin", Origin);
        using var response = await _server.Client.SendAsync(request);
        Assert.Equal(Origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("/api/query/engage")]
    [InlineData("/api/2.0/engage")]
    public async Task The_query_api_gives_other_origins_nothing(string path)
    {
        using var preflight = await _server.Client.SendAsync(Preflight(path, "POST"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Credentials"));

        using var request = new HttpRequestMessage(HttpMethod.Get, path + "?distinct_id=cors");
        request.Headers.Add("Origin", Origin);
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        using var response = await _server.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }
}
