using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenEngage.Tests.Support;

/// <summary>
/// The server run as a separate operating-system process, as a user runs it, so it can be killed.
/// Shared by the test projects that need a real process (linked into each).
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    public const string Token = "process-token";
    public const string Secret = "process-secret";

    /// <summary>The one project every process started here serves.</summary>
    public static readonly string[] Project =
        ["Projects:0:Name=process", $"Projects:0:Token={Token}", $"Projects:0:ApiSecret={Secret}"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException("The server exited during start-up:\n" + Output));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The address the server bound, read from its start-up log.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>True once the process has ended (killed, crashed or stopped).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has ended.</summary>
    public int ExitCode => _process.ExitCode;

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
    /// Starts <c>OpenEngage.Server</c> on loopback port 0 with <see cref="Project"/>, the data directory
    /// (also the working directory) and the given <c>Key=Value</c> settings, reads the address the
    /// operating system gave it from its "Now listening on" log line, and waits until it answers.
    /// </summary>
    /// <remarks>
    /// Binding port 0 leaves the choice to the kernel when the socket is bound; a port found free
    /// beforehand may be taken by someone else before the server binds it.
    /// </remarks>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpenEngage.Server.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add($"--Storage:Path={dataDirectory}");

        // The line that reports the bound address.
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        foreach (var setting in Project.Concat(settings))
        {
            start.ArgumentList.Add("--" + setting);
        }

        var server = new ServerProcess(Process.Start(start)!);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        try
        {
            server.Address = await server._listening.Task.WaitAsync(deadline - DateTime.UtcNow);
        }
        catch (TimeoutException)
        {
            server.Dispose();
            throw new TimeoutException("The server did not report its address within 60 s:\n" + server.Output);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
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

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        // "Now listening on: http://127.0.0.1:40123", in the simple console format or inside a JSON log line.
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
