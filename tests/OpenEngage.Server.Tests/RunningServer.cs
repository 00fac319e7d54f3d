using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenEngage.Tests.Support;

namespace OpenEngage.Server.Tests;

/// <summary>
/// An OpenEngage server on a real Kestrel socket on loopback, over a fresh data directory (or a
/// given one, kept), on the storage <see cref="TestStorage"/> selects.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string Secret = "test-secret";
    public const string OtherToken = "other-token";
    public const string OtherSecret = "other-secret";

    private readonly InProcessServer _server;

    private RunningServer(InProcessServer server)
    {
        _server = server;
        Client = new HttpClient { BaseAddress = server.Address };
    }

    public string DataDirectory => _server.DataDirectory;
    public Uri Address => _server.Address;
    public HttpClient Client { get; }
    public IServiceProvider Services => _server.Services;

    /// <summary>Starts a server with two projects; <paramref name="settings"/> add or override configuration keys.</summary>
    public static Task<RunningServer> StartAsync(params string[] settings) => StartAsync(withProjects: true, dataDirectory: null, settings);

    public static async Task<RunningServer> StartAsync(bool withProjects, string? dataDirectory, params string[] settings)
    {
        string[] projects = withProjects
            ?
            [
                "--Projects:0:Name=test", $"--Projects:0:Token={Token}", $"--Projects:0:ApiSecret={Secret}",
                "--Projects:1:Name=other", $"--Projects:1:Token={OtherToken}", $"--Projects:1:ApiSecret={OtherSecret}",
            ]
            : [];
        var server = await InProcessServer.StartAsync(
            "openengage-test-", dataDirectory, projects, TestStorage.SettingsAsync, settings.Select(setting => "--" + setting));
        return new RunningServer(server);
    }

    /// <summary>POSTs a JSON body to <c>/engage</c> (or <paramref name="path"/>) and returns status and body.</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> PostJsonAsync(string json, string path = "/engage")
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await Client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<(int Status, string Body)> SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Looks up one profile through the query API; null when it does not exist.</summary>
    public async Task<JsonObject?> ProfileAsync(string distinctId, string secret = Secret, string? groupKey = null)
    {
        var query = $"/api/query/engage?distinct_id={Uri.EscapeDataString(distinctId)}";
        if (groupKey is not null)
        {
            query += $"&data_group_id={Uri.EscapeDataString(groupKey)}";
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        request.Headers.Authorization = Basic(secret, "");
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var results = body["results"]!.AsArray();
        return results.Count == 0 ? null : results[0]!["$properties"]!.AsObject();
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
