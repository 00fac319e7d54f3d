using System.Net;
using System.Net.Sockets;

namespace OpenEngage.Server.Tests;

/// <summary>A server that cannot start says why in one line on standard error and exits with 1 (the real executable).</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("openengage-start-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("Storage:Provider 'mongo' is unknown", "--Storage:Provider=mongo")]
    [InlineData("'Ingestion:MaxRecordBytes'", "--Ingestion:MaxRecordBytes=abc")]
    [InlineData("Limits:MaxStringBytes must be between", "--Limits:MaxStringBytes=0")]
    [InlineData("Ingestion:MaxRecordsPerRequest must be between", "--Ingestion:MaxRecordsPerRequest=-1")]
    [InlineData("Storage:ProfileCacheSize must be between", "--Storage:ProfileCacheSize=-5")]
    [InlineData("Network:TrustedProxies:0 'proxy.local' is not an IP address", "--Network:TrustedProxies:0=proxy.local")]
    [InlineData("Storage:ConnectionString is required", "--Storage:Provider=postgres")]
    [InlineData("Failed to connect to 127.0.0.1:1", "--Storage:Provider=postgres", "--Storage:ConnectionString=Host=127.0.0.1;Port=1;Database=nowhere;Username=u;Timeout=3")]
    public async Task A_bad_setting_or_an_unreachable_store_is_one_line_and_exit_code_1(string expected, params string[] settings)
    {
        await AssertFailsAsync(expected, ["--urls=http://127.0.0.1:0", $"--Storage:Path={Path.Combine(_root, "data")}", .. settings]);
    }

    [Fact]
    public async Task An_unusable_data_directory_is_one_line_and_exit_code_1()
    {
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        await AssertFailsAsync($"The data directory {file}/data cannot be created", ["--urls=http://127.0.0.1:0", $"--Storage:Path={file}/data"]);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await AssertFailsAsync("address already in use", [$"--urls=http://127.0.0.1:{port}", $"--Storage:Path={Path.Combine(_root, "data")}", "--Projects:0:Name=p", "--Projects:0:Token=t"]);
    }

    [Fact]
    public async Task An_unknown_identity_mode_is_refused_at_start()
    {
        await AssertFailsAsync("Projects:0:IdentityMode", ["--urls=http://127.0.0.1:0", $"--Storage:Path={Path.Combine(_root, "data")}", "--Projects:0:Name=p", "--Projects:0:Token=t", "--Projects:0:IdentityMode=sometimes"]);
    }

    private async Task AssertFailsAsync(string expected, string[] args)
    {
        var (code, output, error) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), new Dictionary<string, string?> { ["HOME"] = _root }, args);
        Assert.True(code == 1, $"exit {code}\nstdout:\n{output}\nstderr:\n{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var failure = Assert.Single(lines, line => line.StartsWith("OpenEngage could not start: ", StringComparison.Ordinal));
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.Equal("", output);
    }
}
