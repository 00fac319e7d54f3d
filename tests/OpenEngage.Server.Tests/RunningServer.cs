using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

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

    private readonly WebApplication _app;

    private readonly bool _ownsDataDirectory;

    private RunningServer(WebApplication app, string dataDirectory, bool ownsDataDirectory, Uri address)
    {
        _app = app;
        _ownsDataDirectory = ownsDataDirectory;
        DataDirectory = dataDirectory;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public string DataDirectory { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server with two projects; <paramref name="settings"/> add or override configuration keys.</summary>
    public static Task<RunningServer> StartAsync(params string[] settings) => StartAsync(withProjects: true, dataDirectory: null, settings);

    public static async Task<RunningServer> StartAsync(bool withProjects, string? dataDirectory, params string[] settings)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("openengage-test-").FullName;
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--Storage:Path={dataDirectory}", "--Logging:LogLevel:Default=Warning" };
        if (withProjects)
        {
            args.AddRange([
                "--Projects:0:Name=test", $"--Projects:0:Token={Token}", $"--Projects:0:ApiSecret={Secret}",
                "--Projects:1:Name=other", $"--Projects:1:Token={OtherToken}", $"--Projects:1:ApiSecret={OtherSecret}",
            ]);
        }

        args.AddRange((await TestStorage.SettingsAsync(dataDirectory)).Select(setting => "--" + setting));
        args.AddRange(settings.Select(setting => "--" + setting));
        var app = OpenEngageServer.Build([.. args]);
        await OpenEngageServer.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, dataDirectory, owns, new Uri(address));
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
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
