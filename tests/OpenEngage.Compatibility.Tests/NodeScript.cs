using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using OpenEngage.Projects;

namespace OpenEngage.Compatibility.Tests;

/// <summary>Runs a script of <c>tests/sdk</c> with <c>node</c> and reads the JSON summary it prints as its last line.</summary>
public static class NodeScript
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds <c>OpenEngage.slnx</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SdkDirectory(string name)
    {
        var directory = Path.Combine(RepositoryRoot, "tests", "sdk", name);
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new Xunit.Sdk.XunitException(
                $"tests/sdk/{name}/node_modules is missing: run scripts/deps/20-node-packages.sh (test.sh does) before these tests.");
        }

        return directory;
    }

    public static async Task<JsonObject> RunAsync(string directory, string script, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = new StringBuilder();
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new Xunit.Sdk.XunitException($"node {script} did not finish within {timeout.TotalSeconds} s:\n{Text(errors)}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        var stdout = Text(output);
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"node {script} exited with {process.ExitCode}:\n{Text(errors)}\n{stdout}");
        }

        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new Xunit.Sdk.XunitException($"node {script} printed nothing:\n{Text(errors)}");
        return JsonNode.Parse(last)!.AsObject();
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string FindRepositoryRoot()
    {
        // The test binaries normally live inside the repository; with a separate artifacts folder
        // they do not, and the project folder recorded at build time is the place to start from.
        var projectDirectory = typeof(NodeScript).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "ProjectDirectory")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, projectDirectory })
        {
            for (var directory = start is null ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OpenEngage.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds OpenEngage.slnx.");
    }
}
