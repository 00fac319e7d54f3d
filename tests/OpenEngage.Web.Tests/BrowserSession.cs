using System.Net;
using System.Text.RegularExpressions;

namespace OpenEngage.Web.Tests;

/// <summary>A cookie-keeping HTTP client that signs in through the form, as a browser without script would.</summary>
public sealed partial class BrowserSession : IDisposable
{
    private readonly HttpClient _client;

    public BrowserSession(WebServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        Cookies = new CookieContainer();
        _client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = server.Address };
    }

    public CookieContainer Cookies { get; }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path)
    {
        var response = await _client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<byte[]> GetBytesAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Posts a form with the antiforgery token of the page at <paramref name="tokenPage"/>.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(string tokenPage, string path, params (string Name, string Value)[] fields)
    {
        var (_, page, _) = await GetAsync(tokenPage);
        var token = TokenOf(page);
        using var content = new FormUrlEncodedContent([new("__antiforgery", token), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
        var response = await _client.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Signs in with the form; returns the status of the form's answer.</summary>
    public async Task<HttpStatusCode> SignInAsync(string userName, string secret)
    {
        var (status, _, _) = await PostAsync("/signin", "/signin", ("username", userName), ("secret", secret), ("returnUrl", "/"));
        return status;
    }

    public static string TokenOf(string html)
    {
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, "the page has no antiforgery field");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
