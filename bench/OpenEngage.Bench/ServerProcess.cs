using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace OpenEngage.Bench;

/// <summary>
/// A server started for one measurement: its own process, a free loopback port, a fresh data
/// directory and one project. For the ceiling it is this program's <see cref="CeilingServer"/> (the
/// same composition plus the parse-only endpoint) run with the measured server's runtime
/// configuration. Disposing it stops the process and deletes the data.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly List<string> _errors = [];

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The address the server bound (it binds port 0), read from its start-up log.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int Id => _process.Id;

    public static Task<ServerProcess> StartAsync(string serverDll, IEnumerable<KeyValuePair<string, string>> environment, CancellationToken cancellationToken) =>
        StartAsync(serverDll, environment, ceiling: false, cancellationToken);

    public static async Task<ServerProcess> StartAsync(string serverDll, IEnumerable<KeyValuePair<string, string>> environment, bool ceiling, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"openengage-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        if (ceiling)
        {
            // This program, with the server's runtimeconfig.json: the same frameworks and garbage collector settings.
            var bench = typeof(ServerProcess).Assembly.Location;
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(Path.ChangeExtension(Path.GetFullPath(serverDll), ".runtimeconfig.json"));
            start.ArgumentList.Add("--depsfile");
            start.ArgumentList.Add(Path.ChangeExtension(bench, ".deps.json"));
            start.ArgumentList.Add(bench);
            start.ArgumentList.Add(CeilingServer.Verb);
        }
        else
        {
            start.ArgumentList.Add(Path.GetFullPath(serverDll));
        }

        foreach (var argument in new[]
        {
            "--urls", "http://127.0.0.1:0",
            $"--Storage:Path={dataDirectory}",
            "--Projects:0:Name=bench",
            $"--Projects:0:Token={Workload.Token}",
            "--Projects:0:ApiSecret=bench-secret",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var server = new ServerProcess(process, dataDirectory);
        process.OutputDataReceived += (_, line) => server.Listening(line.Data);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                server.Listening(text);
                lock (server._errors)
                {
                    server._errors.Add(text);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>User plus system CPU time of the server so far, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // After "pid (comm) ", field 3 (state) is index 0: utime (14) and stime (15) are 11 and 12.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>The server's resident set now (<c>VmRSS</c>) in bytes.</summary>
    public long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>The server's peak resident set (<c>VmHWM</c>) in bytes.</summary>
    public long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>Linux reports process times in USER_HZ, 100 per second on every mainstream build.</summary>
    private const int ClockTicksPerSecond = 100;

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Takes the bound address from the "Now listening on: http://127.0.0.1:40123" log line.</summary>
    private void Listening(string? line)
    {
        const string Marker = "Now listening on: ";
        var at = line?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (at >= 0)
        {
            var address = line![(at + Marker.Length)..].Split(' ', '"')[0];
            _listening.TrySetResult(new Uri(address.TrimEnd('/') + "/"));
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!_listening.Task.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {_process.ExitCode}:\n{ErrorText()}");
            }

            await Task.WhenAny(_listening.Task, Task.Delay(100, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!_listening.Task.IsCompleted)
        {
            throw new TimeoutException($"the server did not report its address within 60 s:\n{ErrorText()}");
        }

        BaseAddress = await _listening.Task;
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {_process.ExitCode}:\n{ErrorText()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"the server did not answer on {BaseAddress} within 60 s:\n{ErrorText()}");
    }

    private string ErrorText()
    {
        lock (_errors)
        {
            return string.Join('\n', _errors.TakeLast(40));
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
