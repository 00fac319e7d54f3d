using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Tests.Support;

/// <summary>
/// The server run as a separate operating-system process, as a user runs it, so it can be killed.
/// Shared by the test projects that need a real process (linked into each).
/// </summary>
public sealed class ServerProcess : IDisposable
{
    public const string Token = "process-token";
    public const string Secret = "process-secret";

    /// <summary>The one project every process started here serves.</summary>
    public static readonly string[] Project =
        ["Projects:0:Name=process", $"Projects:0:Token={Token}", $"Projects:0:ApiSecret={Secret}"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>OpenEngage.Server</c> on a free loopback port with <see cref="Project"/>, the data directory
    /// (also the working directory) and the given <c>Key=Value</c> settings, and waits until it answers.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpenEngage.Server.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add($"--Storage:Path={dataDirectory}");
        foreach (var setting in Project.Concat(settings))
        {
            start.ArgumentList.Add("--" + setting);
        }

        var server = new ServerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException("The server exited during start-up:\n" + server.Output);
            }

            try
            {
                using var response = await client.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        server.Dispose();
        throw new TimeoutException("The server did not answer within 60 s:\n" + server.Output);
    }

    /// <summary>A client that reads profiles with the project's API secret.</summary>
    public HttpClient QueryClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret + ":")));
        return client;
    }

    /// <summary>The properties of one user profile, or null when it does not exist.</summary>
    public static async Task<JsonObject?> ProfileAsync(HttpClient client, string id)
    {
        var body = JsonNode.Parse(await client.GetStringAsync($"/api/query/engage?distinct_id={Uri.EscapeDataString(id)}"))!;
        var results = body["results"]!.AsArray();
        return results.Count == 0 ? null : results[0]!["$properties"]!.AsObject();
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
