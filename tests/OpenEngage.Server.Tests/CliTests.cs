using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Server.Cli;

namespace OpenEngage.Server.Tests;

/// <summary>The <c>export</c> and <c>import</c> verbs of the server executable, run in process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("openengage-cli-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Import_applies_valid_records_and_sums_up_the_rejected_ones()
    {
        var file = Write("records.jsonl", """
            {"$token":"tok","$distinct_id":"a","$set":{"plan":"pro","n":1}}
            {"$token":"tok","$distinct_id":"b","$set":{"plan":"free","n":2}}

            {"$token":"tok","$set":{"plan":"none"}}
            {"$distinct_id":"c","$set":{"plan":"pro","n":3}}
            {"$token":"unknown","$distinct_id":"d","$set":{"n":4}}
            """);
        var (code, output, error) = await RunAsync(["import", file, .. Settings("one")]);
        Assert.True(code == 2, output + error);
        Assert.Contains("Read 5 record(s): 3 applied, 2 rejected", output, StringComparison.Ordinal);
        Assert.Contains("record 3", output, StringComparison.Ordinal);
        Assert.Contains("record 5 (d)", output, StringComparison.Ordinal);

        var (exportCode, lines, _) = await RunAsync(["export", "--where", "properties[\"plan\"] == \"pro\"", .. Settings("one")]);
        Assert.Equal(0, exportCode);
        var exported = Lines(lines).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal(["a", "c"], exported.Select(p => (string)p["$distinct_id"]!));
        Assert.Equal(3, (int)exported[1]["$properties"]!["n"]!);
    }

    [Fact]
    public async Task Export_then_import_round_trips_through_a_mixpanel_shaped_file()
    {
        var records = string.Join(",", Enumerable.Range(0, 30).Select(i =>
            $$$"""{"$token":"tok","$distinct_id":"u{{{i:D2}}}","$set":{"i":{{{i}}},"tags":["t{{{i % 3}}}"],"name":"n, \"{{{i}}}\""}}"""));
        var (code, _, _) = await RunAsync(["import", Write("records.json", $"[{records}]"), .. Settings("one")]);
        Assert.Equal(0, code);

        var exportFile = Path.Combine(_root, "export.jsonl");
        Assert.Equal(0, (await RunAsync(["export", "--output", exportFile, .. Settings("one")])).Code);
        var first = await File.ReadAllLinesAsync(exportFile);
        Assert.Equal(30, first.Length);

        Assert.Equal(0, (await RunAsync(["import", exportFile, .. Settings("two")])).Code);
        var (_, second, _) = await RunAsync(["export", .. Settings("two")]);
        Assert.Equal(first, Lines(second));
    }

    [Fact]
    public async Task Export_writes_csv_with_a_column_per_property()
    {
        var file = Write("r.jsonl", """
            {"$token":"tok","$distinct_id":"a","$set":{"name":"Ann, Jr.","n":1}}
            {"$token":"tok","$distinct_id":"b","$set":{"tags":["x"],"n":2.5}}
            """);
        await RunAsync(["import", file, .. Settings("one")]);
        var (code, csv, _) = await RunAsync(["export", "--format", "csv", .. Settings("one")]);
        Assert.Equal(0, code);
        var lines = Lines(csv);
        Assert.StartsWith("$distinct_id,", lines[0], StringComparison.Ordinal);
        var header = lines[0].Split(',');
        Assert.Contains("name", header);
        Assert.Contains("tags", header);
        Assert.Contains("\"Ann, Jr.\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"[\"\"x\"\"]\"", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_where_or_an_unknown_project_fails_with_a_message()
    {
        var (code, _, error) = await RunAsync(["export", "--where", "(1 +", .. Settings("one")]);
        Assert.Equal(1, code);
        Assert.Contains("position", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["export", "--project", "nope", .. Settings("one")]);
        Assert.Equal(1, code);
        Assert.Contains("nope", error, StringComparison.Ordinal);
    }

    private string[] Settings(string store) =>
    [
        $"--Storage:Path={Path.Combine(_root, store)}", "--Projects:0:Name=test", "--Projects:0:Token=tok", "--Projects:0:ApiSecret=secret",
    ];

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_lists_the_verbs_instead_of_starting_a_server(string flag)
    {
        Assert.True(CommandLineVerbs.IsVerb([flag]));
        Assert.False(CommandLineVerbs.IsVerb(["--urls=http://127.0.0.1:5000"]));
        var (code, output, _) = await RunAsync(flag);
        Assert.Equal(0, code);
        Assert.Contains("export", output, StringComparison.Ordinal);
        Assert.Contains("import", output, StringComparison.Ordinal);
        Assert.Contains("serves HTTP", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineVerbs.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
