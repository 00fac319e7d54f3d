using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenEngage.Tests.Support;

namespace OpenEngage.Compatibility.Tests;

/// <summary>An OpenEngage server on a real Kestrel socket on 127.0.0.1, over a fresh data directory, with one project.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string Secret = "test-secret";

    private readonly InProcessServer _server;

    private RunningServer(InProcessServer server)
    {
        _server = server;
        Client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string DataDirectory => _server.DataDirectory;
    public Uri Address => _server.Address;
    public int Port => Address.Port;
    public HttpClient Client { get; }

    /// <summary>Starts a server with the project "test"; <paramref name="settings"/> (<c>Key=Value</c>) add configuration.</summary>
    public static async Task<RunningServer> StartAsync(params string[] settings) =>
        new(await InProcessServer.StartAsync(
            "openengage-compat-",
            dataDirectory: null,
            ["--Projects:0:Name=test", $"--Projects:0:Token={Token}", $"--Projects:0:ApiSecret={Secret}", .. settings.Select(setting => "--" + setting)]));

    /// <summary>Looks up one profile through the Query API (API secret as user, empty password); null when it does not exist.</summary>
    public async Task<JsonObject?> ProfileAsync(string distinctId, string secret = Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/engage?distinct_id={Uri.EscapeDataString(distinctId)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{secret}:")));
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var results = body["results"]!.AsArray();
        return results.Count == 0 ? null : results[0]!["$properties"]!.AsObject();
    }

    /// <summary>Like <see cref="ProfileAsync"/>, but the profile must exist.</summary>
    public async Task<JsonObject> RequiredProfileAsync(string distinctId, string secret = Secret) =>
        await ProfileAsync(distinctId, secret) ?? throw new Xunit.Sdk.XunitException($"no profile for distinct_id {distinctId}");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
