using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenEngage.Server.Tests;

/// <summary>
/// The built server executable (<c>OpenEngage.Server.dll</c> beside the tests) run as a child
/// process, as a user runs it: its exit code, standard output and standard error kept apart.
/// </summary>
public sealed partial class ServerExecutable : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ServerExecutable(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => Read(_output);

    public string Error => Read(_error);

    public int Id => _process.Id;

    /// <summary>Starts the executable in <paramref name="workingDirectory"/>; <paramref name="environment"/> sets (or, with null, removes) variables.</summary>
    public static ServerExecutable Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpenEngage.Server.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new ServerExecutable(Process.Start(start)!);
    }

    /// <summary>Runs the executable to its end (killed after <paramref name="timeout"/>, exit code -1).</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Output, process.Error);
    }

    public static Task<(int Code, string Output, string Error)> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, TimeSpan.FromSeconds(60), null, args);

    /// <summary>The exit code, or -1 when the process had to be killed after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return -1;
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>; fails when the process ends first or after 60 s.</summary>
    public async Task WaitForErrorAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                await Task.Delay(200);
                if (Error.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                throw new InvalidOperationException($"No '{text}' from the process (exited: {_process.HasExited}).\nstdout:\n{Output}\nstderr:\n{Error}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the server's "Now listening on:" line and returns that address.</summary>
    public async Task<Uri> WaitForAddressAsync()
    {
        await WaitForErrorAsync("Now listening on: ");
        return new Uri(ListeningOn().Match(Error).Groups[1].Value);
    }

    /// <summary>Sends a POSIX signal (e.g. <c>INT</c> as Ctrl-C does).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-s", name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    [GeneratedRegex(@"Now listening on: (\S+)")]
    private static partial Regex ListeningOn();
}
