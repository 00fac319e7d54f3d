using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>The command line of the server executable, run as a child process as a user runs it.</summary>
public sealed class CommandLineProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("openengage-cmd-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("exprot")]
    [InlineData("--port", "8080")]
    [InlineData("-v")]
    [InlineData("export", "--frmat", "csv")]
    [InlineData("--Storage:Path")]
    public async Task Unknown_verbs_and_options_are_refused_with_the_usage_and_exit_code_2(params string[] args)
    {
        var (code, output, error) = await ServerExecutable.RunAsync(_root, Timeout, Isolated(), ["--urls=http://127.0.0.1:0", .. args]);
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Equal("", output);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
        Assert.Contains(args[^1] == "csv" ? "--frmat" : args[0], error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits()
    {
        var (code, output, error) = await ServerExecutable.RunAsync(_root, Timeout, Isolated(), "--version");
        Assert.True(code == 0, error);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task The_generated_secret_is_shown_at_creation_only_and_an_export_to_stdout_holds_only_data()
    {
        var data = Path.Combine(_root, "data");
        using (var first = ServerExecutable.Start(_root, Isolated(), "--urls=http://127.0.0.1:0", $"--Storage:Path={data}"))
        {
            var address = await first.WaitForAddressAsync();
            var project = DefaultProject.LoadOrCreate(data, out var created);
            Assert.False(created);
            Assert.Contains(project.ApiSecret, first.Error, StringComparison.Ordinal);
            Assert.Equal("", first.Output);
            using var client = new HttpClient { BaseAddress = address };
            using var body = new StringContent($$$"""[{"$token":"{{{project.Token}}}","$distinct_id":"u1","$set":{"plan":"pro"}}]""");
            Assert.Equal("1", await (await client.PostAsync("/engage", body)).Content.ReadAsStringAsync());
        }

        var kept = DefaultProject.LoadOrCreate(data, out _);
        using (var second = ServerExecutable.Start(_root, Isolated(), "--urls=http://127.0.0.1:0", $"--Storage:Path={data}"))
        {
            await second.WaitForAddressAsync();
            Assert.DoesNotContain(kept.ApiSecret, second.Error + second.Output, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(data, DefaultProject.FileName), second.Error, StringComparison.Ordinal);
        }

        var (code, output, error) = await ServerExecutable.RunAsync(_root, Timeout, Isolated(), "export", $"--Storage:Path={data}");
        Assert.True(code == 0, error);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("u1", (string?)JsonNode.Parse(line)!["$distinct_id"]);
        Assert.DoesNotContain(kept.ApiSecret, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Storage_Path_the_data_directory_is_the_users_not_the_working_directory_or_the_build_output()
    {
        var home = Path.Combine(_root, "home");
        var work = Path.Combine(_root, "work");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(work);
        using (var server = ServerExecutable.Start(work, Isolated(home), "--urls=http://127.0.0.1:0"))
        {
            await server.WaitForAddressAsync();
        }

        var expected = Path.Combine(home, ".local", "share", DefaultDataDirectory.FolderName);
        Assert.True(File.Exists(Path.Combine(expected, DefaultProject.FileName)), string.Join("\n", Directory.GetFiles(_root, "*", SearchOption.AllDirectories)));
        Assert.Empty(Directory.GetFileSystemEntries(work));
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "data")));
        Assert.Equal(expected, DefaultDataDirectory.Resolve(Path.Combine(home, ".local", "share")));
        Assert.Null(DefaultDataDirectory.Resolve(""));
    }

    [Fact]
    public void The_build_output_of_the_server_holds_no_data_files()
    {
        var output = AppContext.BaseDirectory;
        Assert.False(Directory.Exists(Path.Combine(output, "data")));
        Assert.Empty(Directory.GetFiles(output, DefaultProject.FileName, SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(output, "*.db", SearchOption.AllDirectories));
    }

    /// <summary>The environment of a child with its own home directory (so no real user's data is touched).</summary>
    private Dictionary<string, string?> Isolated(string? home = null) => new()
    {
        ["HOME"] = home ?? Path.Combine(_root, "home"),
        ["XDG_DATA_HOME"] = null,
        ["ASPNETCORE_URLS"] = null,
        ["OPENENGAGE_TEST_STORAGE"] = null,
    };
}
