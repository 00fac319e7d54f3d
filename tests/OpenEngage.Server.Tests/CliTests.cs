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
        Assert.True(code == 3, output + error);
        Assert.Contains("Read 5 record(s): 3 applied, 2 rejected", output, StringComparison.Ordinal);
        Assert.Contains("line 4: ", output, StringComparison.Ordinal);
        Assert.Contains("line 6 (d): ", output, StringComparison.Ordinal);

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
        var (code, output, _) = await RunAsync(flag);
        Assert.Equal(0, code);
        Assert.Contains("export", output, StringComparison.Ordinal);
        Assert.Contains("import", output, StringComparison.Ordinal);
        Assert.Contains("backup", output, StringComparison.Ordinal);
        Assert.Contains("restore", output, StringComparison.Ordinal);
        Assert.Contains("serves HTTP", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineVerbs.RunAsync(args, output, error, (_, _, _) => throw new InvalidOperationException("The command line started a server."), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Settings_are_told_apart_from_unknown_options_for_the_server_and_the_verbs()
    {
        string[]? served = null;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineVerbs.RunAsync(
            ["--urls", "http://127.0.0.1:1", "--Storage:Path=/x", "--environment", "Production", "--Logging:LogLevel:Default", "Debug"],
            output,
            error,
            (settings, _, _) =>
            {
                served = settings;
                return Task.FromResult(0);
            },
            CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        Assert.Equal(["--urls=http://127.0.0.1:1", "--Storage:Path=/x", "--environment=Production", "--Logging:LogLevel:Default=Debug"], served!);

        var file = Write("r.jsonl", """{"$distinct_id":"a","$set":{"n":1}}""");
        Assert.Equal(0, (await RunAsync(["import", "--Storage:Path", Path.Combine(_root, "one"), file, "--Projects:0:Name=test", "--Projects:0:Token", "tok"])).Code);
        var (refused, _, message) = await RunAsync(["export", "--port", "8080", .. Settings("one")]);
        Assert.Equal(2, refused);
        Assert.Contains("--port", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verb_without_a_configured_or_kept_project_fails_and_creates_nothing()
    {
        var data = Path.Combine(_root, "live");
        var file = Write("r.jsonl", """{"$distinct_id":"a","$set":{"n":1}}""");
        foreach (var args in new[] { new[] { "export" }, ["import", file] })
        {
            var (code, output, error) = await RunAsync([.. args, $"--Storage:Path={data}"]);
            Assert.True(code == 1, output + error);
            Assert.Contains("No project is configured", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, DefaultProject.FileName)));
            Assert.False(File.Exists(Path.Combine(data, "openengage.db")));
        }

        var kept = DefaultProject.LoadOrCreate(data, out _);
        var (imported, _, importError) = await RunAsync(["import", file, $"--Storage:Path={data}"]);
        Assert.True(imported == 0, importError);
        var (exported, lines, _) = await RunAsync(["export", $"--Storage:Path={data}"]);
        Assert.Equal(0, exported);
        Assert.Equal("a", (string?)JsonNode.Parse(Assert.Single(Lines(lines)))!["$distinct_id"]);
        Assert.Equal(kept.Token, DefaultProject.LoadOrCreate(data, out _).Token);
    }

    [Fact]
    public async Task Import_reports_bad_lines_by_number_and_goes_on()
    {
        var file = Write("r.jsonl", """
            {"$distinct_id":"a","$set":{"n":1}}
            {"$distinct_id":"b","$set":{"n":
            {"$distinct_id":"c","$set":{"n":"x"},"$add":{"n":"many"}}
            {"$distinct_id":"d","$set":{"n":4}}
            """);
        var (code, output, _) = await RunAsync(["import", file, .. Settings("one")]);
        Assert.Equal(3, code);
        Assert.Contains("Read 4 record(s): 2 applied, 2 rejected", output, StringComparison.Ordinal);
        Assert.Contains("line 2: not JSON", output, StringComparison.Ordinal);
        Assert.Contains("line 3 (c): $add.n", output, StringComparison.Ordinal);
        var (_, exported, _) = await RunAsync(["export", .. Settings("one")]);
        Assert.Equal(["a", "d"], Lines(exported).Select(line => (string?)JsonNode.Parse(line)!["$distinct_id"]));
    }

    [Fact]
    public async Task Import_reads_its_own_csv_export_back_exactly()
    {
        var file = Write("r.jsonl", """
            {"$distinct_id":"a","$set":{"s":"1","e":"","t":"true","l":"[1]","q":"\"hi\"","c":"x, y","nl":"two\nlines","n":2.5,"b":false,"list":["p","q"],"o":{"k":"v"},"z":null}}
            {"$distinct_id":"b, \"B\"","$set":{"s":"plain","n":-3}}
            {"$distinct_id":"42","$set":{"t":" 7 "}}
            """);
        Assert.Equal(0, (await RunAsync(["import", file, .. Settings("one")])).Code);
        var csv = Path.Combine(_root, "export.csv");
        Assert.Equal(0, (await RunAsync(["export", "--format", "csv", "-o", csv, .. Settings("one")])).Code);

        var (code, output, error) = await RunAsync(["import", csv, .. Settings("two")]);
        Assert.True(code == 0, output + error);
        Assert.Contains("Read 3 record(s): 3 applied", output, StringComparison.Ordinal);
        var (_, first, _) = await RunAsync(["export", .. Settings("one")]);
        var (_, second, _) = await RunAsync(["export", .. Settings("two")]);
        var (expected, actual) = (Lines(first), Lines(second));
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            // The same values; CSV columns may give the properties another order.
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i]), JsonNode.Parse(actual[i])), $"{expected[i]}\n{actual[i]}");
        }
    }

    [Fact]
    public async Task Import_shows_progress_with_count_rate_and_time_left_on_standard_error()
    {
        var file = Path.Combine(_root, "many.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 2500).Select(i => $$$"""{"$distinct_id":"u{{{i}}}","$set":{"i":{{{i}}}}}"""));
        var (code, output, error) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, ["import", file, .. Settings("one")]);
        Assert.True(code == 0, output + error);
        Assert.Contains("Read 2500 record(s): 2500 applied", output, StringComparison.Ordinal);
        Assert.Matches(@"Importing: 1,000 record\(s\), [\d,]+/s, \d+% of the file, about \d+ (s|min)", error);
        Assert.Contains("Importing: 2,500 record(s) in ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_stops_an_import_after_what_it_has_read_and_prints_what_was_applied()
    {
        var fifo = Path.Combine(_root, "records.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        using var import = ServerExecutable.Start(_root, null, ["import", fifo, .. Settings("one")]);
        await using var writer = new StreamWriter(await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)));
        for (var i = 0; i < 1500; i++)
        {
            await writer.WriteLineAsync($$$"""{"$distinct_id":"u{{{i}}}","$set":{"i":{{{i}}}}}""");
        }

        await writer.FlushAsync();
        await import.WaitForErrorAsync("Importing: 1,000 record(s)");
        import.Signal("INT");
        await import.WaitForErrorAsync("Stopping");
        await writer.WriteLineAsync("""{"$distinct_id":"late","$set":{"i":-1}}""");
        writer.Close();

        Assert.Equal(130, await import.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var summary = System.Text.RegularExpressions.Regex.Match(import.Output, @"Interrupted\. Read (\d+) record\(s\): (\d+) applied, 0 rejected");
        Assert.True(summary.Success, import.Output + import.Error);
        var applied = int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(applied, 1000, 1500);
        var (_, exported, _) = await RunAsync(["export", .. Settings("one")]);
        Assert.Equal(applied, Lines(exported).Length);
        Assert.DoesNotContain("\"late\"", exported, StringComparison.Ordinal);
    }
}
