using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenEngage.Server.Tests;
using OpenEngage.Tests.Support;

namespace OpenEngage.Web.Tests;

/// <summary>
/// An OpenEngage server in the Production environment on a real Kestrel socket on loopback, over a
/// fresh data directory, with a project that has an owner and a reader service account, and a
/// second project the owner account may also read.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    public const string Token = "web-token";
    public const string Secret = "web-secret";
    public const string OtherToken = "web-other-token";
    public const string OtherSecret = "web-other-secret";
    public const string Editor = "editor";
    public const string EditorSecret = "editor-secret";
    public const string Viewer = "viewer";
    public const string ViewerSecret = "viewer-secret";

    private readonly InProcessServer _server;

    private WebServer(InProcessServer server) => _server = server;

    public string DataDirectory => _server.DataDirectory;

    public Uri Address => _server.Address;

    public string BaseUrl => Address.GetLeftPart(UriPartial.Authority);

    public static async Task<WebServer> StartAsync() =>
        new(await InProcessServer.StartAsync(
            "openengage-web-test-",
            dataDirectory: null,
            [
                "--environment=Production",
                "--Projects:0:Name=web", $"--Projects:0:Token={Token}", $"--Projects:0:ApiSecret={Secret}",
                $"--Projects:0:ServiceAccounts:0:Username={Editor}", $"--Projects:0:ServiceAccounts:0:Secret={EditorSecret}",
                $"--Projects:0:ServiceAccounts:1:Username={Viewer}", $"--Projects:0:ServiceAccounts:1:Secret={ViewerSecret}",
                "--Projects:0:ServiceAccounts:1:Role=reader",
                "--Projects:1:Name=second", $"--Projects:1:Token={OtherToken}", $"--Projects:1:ApiSecret={OtherSecret}",
                $"--Projects:1:ServiceAccounts:0:Username={Editor}", $"--Projects:1:ServiceAccounts:0:Secret={EditorSecret}",
            ],
            TestStorage.SettingsAsync));

    public string EnvironmentName => _server.App.Environment.EnvironmentName;

    public IServiceProvider Services => _server.Services;

    /// <summary>A client without cookies or redirects, for the API.</summary>
    public HttpClient ApiClient() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Address };

    /// <summary>Sends /engage records (a JSON array) with the project's token and checks they were all applied.</summary>
    public async Task EngageAsync(string recordsJson)
    {
        using var client = ApiClient();
        using var content = new StringContent(recordsJson, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/engage?strict=1", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
    }

    /// <summary>Sends a request to the query API with the project's API secret: status and body.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> QueryAsync(string query)
    {
        using var client = ApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?" + query);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret + ":")));
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>The properties of one user profile, or null.</summary>
    public async Task<JsonObject?> ProfileAsync(string id)
    {
        var (status, body) = await QueryAsync("distinct_id=" + Uri.EscapeDataString(id));
        Assert.Equal(HttpStatusCode.OK, status);
        var results = body["results"]!.AsArray();
        return results.Count == 0 ? null : results[0]!["$properties"]!.AsObject();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
