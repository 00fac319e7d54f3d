using System.Globalization;
using System.Text;
using OpenEngage.Bench;
using OpenEngage.BenchGate;

if (args is [CeilingServer.Verb, .. var settings])
{
    return await CeilingServer.RunAsync(settings);
}

var options = BenchOptions.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}

// The whole run stops by itself: every measurement is bounded, and this is the backstop.
var perRun = TimeSpan.FromSeconds(options.Seconds + options.Warmup + 120);
using var abort = new CancellationTokenSource(perRun * options.Scenarios.Count * options.Endpoints.Count);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    abort.Cancel();
};

if (options.Profiles > 0)
{
    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(options.MemorySeconds + 120));
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        limit.Cancel();
    };
    var memoryReport = await MemoryRun.RunAsync(options, limit.Token);
    Console.WriteLine(memoryReport);
    if (options.Output is { } memoryOutput)
    {
        await File.WriteAllTextAsync(memoryOutput, memoryReport);
    }

    return 0;
}

var loadStart = File.ReadAllText("/proc/loadavg").Trim();
Console.Error.WriteLine($"Generating request bodies ({options.BatchPool} batches of {options.BatchSize}, {options.SinglePool} single records, ids drawn from {options.Ids:N0} with Zipf s={options.Zipf})...");
var workload = new Workload(options.Ids, options.Zipf, options.Seed);
var scenarios = new List<Scenario>();
RequestBody[]? plainBatches = null;
foreach (var name in options.Scenarios)
{
    switch (name)
    {
        case "a":
            plainBatches ??= workload.Batches(options.BatchPool, options.BatchSize, gzip: false);
            scenarios.Add(new Scenario("a", $"{options.BatchSize}-record batches, {options.BatchConnections} connections", plainBatches, options.BatchConnections));
            break;
        case "b":
            scenarios.Add(new Scenario("b", $"single records, {options.SingleConnections} connections", workload.Singles(options.SinglePool), options.SingleConnections));
            break;
        case "c":
            scenarios.Add(new Scenario("c", $"{options.BatchSize}-record gzip batches, {options.BatchConnections} connections", workload.Batches(options.BatchPool, options.BatchSize, gzip: true), options.BatchConnections));
            break;
        default:
            break;
    }
}

Console.Error.WriteLine($"Generated; the bodies touch {workload.DistinctIdsDrawn:N0} distinct ids.");

var rows = new List<Row>();
try
{
    foreach (var scenario in scenarios)
    {
        // The ceiling first: it has no state, so the order cannot favour it.
        foreach (var endpoint in options.Endpoints.OrderBy(e => e == "ceiling" ? 0 : e == "engage" ? 1 : 2))
        {
            var path = endpoint == "ceiling" ? CeilingEndpoint.Path : "/engage";
            Console.Error.WriteLine($"Scenario {scenario.Name} ({scenario.Description}) against {path}{(endpoint == "postgres" ? " on PostgreSQL" : "")}: {options.Warmup} s warm-up, {options.Seconds} s measured...");
            await using var database = endpoint == "postgres" ? await PostgresDatabase.CreateAsync(options.Postgres!, abort.Token) : null;
            IEnumerable<KeyValuePair<string, string>> environment = database is null
                ? options.ServerEnvironment
                : [.. options.ServerEnvironment, new("Storage__Provider", "postgres"), new("Storage__ConnectionString", database.ConnectionString)];
            using var server = await ServerProcess.StartAsync(options.Server, environment, ceiling: endpoint == "ceiling", abort.Token);
            var target = new Uri(server.BaseAddress, path);
            if (options.Warmup > 0)
            {
                await LoadRunner.RunAsync(target, scenario.Bodies, scenario.Connections, TimeSpan.FromSeconds(options.Warmup), abort.Token);
            }

            var before = CpuSample.Take(server);
            var result = await LoadRunner.RunAsync(target, scenario.Bodies, scenario.Connections, TimeSpan.FromSeconds(options.Seconds), abort.Token);
            var after = CpuSample.Take(server);
            var row = new Row(scenario, endpoint, result, CpuSample.Cores(before, after), server.PeakResidentBytes());
            rows.Add(row);
            Console.Error.WriteLine($"  {row.Result.RecordsPerSecond:N0} records/s, {row.Result.RequestsPerSecond:N0} requests/s, p99 {row.Result.Percentile(99):N1} ms, {row.Result.Errors} errors");
            if (result.FirstError is { } error)
            {
                Console.Error.WriteLine($"  first error: {error}");
            }
        }
    }
}
catch (OperationCanceledException) when (abort.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped before the end; reporting what was measured.");
}

var loadEnd = File.ReadAllText("/proc/loadavg").Trim();
var compact = Compact(rows, loadStart, loadEnd);
Console.WriteLine(compact);
if (options.Output is { } output)
{
    await File.WriteAllTextAsync(output, Report(options, rows, loadStart, loadEnd));
}

if (rows.Any(r => r.Result.Errors > 0))
{
    return 1;
}

return options.Baseline is { } baselineFile ? await GateAsync(options, baselineFile, Ratios(rows), loadStart, loadEnd) : 0;

// Each scenario's /engage records/s as a fraction of the ceiling's, from the same run.
static Dictionary<string, double> Ratios(List<Row> rows)
{
    var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var row in rows.Where(r => r.Endpoint == "engage"))
    {
        var ceiling = rows.FirstOrDefault(r => r.Scenario == row.Scenario && r.Endpoint == "ceiling");
        if (ceiling is not null && ceiling.Result.RecordsPerSecond > 0)
        {
            ratios[$"{row.Scenario.Name}: {row.Scenario.Description}, records/s vs ceiling"] = row.Result.RecordsPerSecond / ceiling.Result.RecordsPerSecond;
        }

        var postgres = rows.FirstOrDefault(r => r.Scenario == row.Scenario && r.Endpoint == "postgres");
        if (postgres is not null && row.Result.RecordsPerSecond > 0)
        {
            ratios[$"{row.Scenario.Name}: {row.Scenario.Description}, PostgreSQL records/s vs embedded"] = postgres.Result.RecordsPerSecond / row.Result.RecordsPerSecond;
        }
    }

    return ratios;
}

static async Task<int> GateAsync(BenchOptions options, string file, Dictionary<string, double> ratios, string loadStart, string loadEnd)
{
    if (options.WriteBaseline)
    {
        var written = new BenchBaseline
        {
            // The server's path and the database's address are the machine's, not the baseline's.
            Command = "OpenEngage.Bench " + string.Join(' ', options.Arguments.Select((a, i) => i == 0 ? a : options.Arguments[i - 1] switch { "--server" => "<OpenEngage.Server.dll>", "--postgres" => "<connection string>", _ => a }).Where(a => a != "--write-baseline")),
            Measured = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Note = $"load average (1, 5, 15 min) {string.Join(' ', loadStart.Split(' ').Take(3))} at the start, {string.Join(' ', loadEnd.Split(' ').Take(3))} at the end; anything else running on the machine shows in these",
            Ratios = ratios,
        };
        await File.WriteAllTextAsync(file, written.ToJson() + Environment.NewLine);
        Console.WriteLine($"Baseline written to {file}.");
        return 0;
    }

    var baseline = BenchBaseline.Parse(await File.ReadAllTextAsync(file));
    var lines = RegressionGate.Compare(baseline, ratios, options.Tolerance);
    Console.WriteLine(RegressionGate.Format(lines, options.Tolerance));
    if (RegressionGate.Failed(lines))
    {
        Console.WriteLine("Gate: FAILED (a ratio fell below its baseline by more than the tolerance).");
        return 3;
    }

    Console.WriteLine(lines.Any(line => line.Verdict == GateVerdict.Pass) ? "Gate: passed." : "Gate: nothing to compare (no scenario of the baseline was measured).");
    return 0;
}

// One line per scenario: /engage beside its ceiling from the same run.
static string Compact(List<Row> rows, string loadStart, string loadEnd)
{
    var text = new StringBuilder();
    var culture = CultureInfo.InvariantCulture;
    text.AppendLine(culture, $"Load average (1, 5, 15 min): {string.Join(' ', loadStart.Split(' ').Take(3))} at the start, {string.Join(' ', loadEnd.Split(' ').Take(3))} at the end.");
    text.AppendLine();
    var withPostgres = rows.Any(r => r.Endpoint == "postgres");
    text.AppendLine("| Scenario | /engage records/s | p99 ms | ceiling records/s | ceiling p99 ms | vs ceiling | server µs/record | other CPU (cores) |"
        + (withPostgres ? " PostgreSQL records/s | PostgreSQL p99 ms | PostgreSQL vs embedded |" : ""));
    text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|" + (withPostgres ? "---:|---:|---:|" : ""));
    foreach (var scenario in rows.Select(r => r.Scenario).Distinct())
    {
        var engage = rows.FirstOrDefault(r => r.Scenario == scenario && r.Endpoint == "engage");
        var ceiling = rows.FirstOrDefault(r => r.Scenario == scenario && r.Endpoint == "ceiling");
        var postgres = rows.FirstOrDefault(r => r.Scenario == scenario && r.Endpoint == "postgres");
        text.Append(culture, $"| {scenario.Name}: {scenario.Description} | {Rate(engage)} | {P99(engage)} | {Rate(ceiling)} | {P99(ceiling)} | {Ratio(engage, ceiling)} | {(engage is null ? "—" : engage.CpuMicrosecondsPerRecord.ToString("N1", culture))} | {(engage ?? ceiling)?.Cores.Other.ToString("N2", culture)} |");
        text.AppendLine(withPostgres ? $" {Rate(postgres)} | {P99(postgres)} | {Ratio(postgres, engage)} |" : "");
    }

    return text.ToString();

    string Rate(Row? row) => row is null ? "—" : row.Result.RecordsPerSecond.ToString("N0", culture);
    string P99(Row? row) => row is null ? "—" : row.Result.Percentile(99).ToString("N1", culture);
    string Ratio(Row? row, Row? reference) => row is null || reference is null ? "—" : (row.Result.RecordsPerSecond / reference.Result.RecordsPerSecond).ToString("P1", culture);
}

static string Report(BenchOptions options, List<Row> rows, string loadStart, string loadEnd)
{
    var text = new StringBuilder();
    var culture = CultureInfo.InvariantCulture;
    text.AppendLine(culture, $"Command: `{string.Join(' ', options.Arguments)}`");
    text.AppendLine();
    text.AppendLine(culture, $"Load average (1, 5, 15 min) at the start: {string.Join(' ', loadStart.Split(' ').Take(3))}; at the end: {string.Join(' ', loadEnd.Split(' ').Take(3))}.");
    text.AppendLine();
    text.AppendLine("| Scenario | Endpoint | Records/s | Requests/s | p50 ms | p99 ms | Errors | Server CPU (cores) | Load generator CPU (cores) | Other CPU (cores) | Server CPU µs per record | Server peak RSS (MiB) | Records/s vs ceiling |");
    text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var row in rows)
    {
        var ceiling = rows.FirstOrDefault(r => r.Scenario == row.Scenario && r.Endpoint == "ceiling");
        var ratio = row.Endpoint == "ceiling" || ceiling is null ? "—" : (row.Result.RecordsPerSecond / ceiling.Result.RecordsPerSecond).ToString("P0", culture);
        var endpoint = row.Endpoint switch { "ceiling" => "`/bench/ceiling`", "postgres" => "`/engage` (PostgreSQL)", _ => "`/engage`" };
        text.AppendLine(culture, $"| {row.Scenario.Name}: {row.Scenario.Description} | {endpoint} | {row.Result.RecordsPerSecond:N0} | {row.Result.RequestsPerSecond:N0} | {row.Result.Percentile(50):N1} | {row.Result.Percentile(99):N1} | {row.Result.Errors} | {row.Cores.Server:N2} | {row.Cores.LoadGenerator:N2} | {row.Cores.Other:N2} | {row.CpuMicrosecondsPerRecord:N1} | {row.PeakRss / (1024.0 * 1024):N0} | {ratio} |");
    }

    return text.ToString();
}

internal sealed record Scenario(string Name, string Description, RequestBody[] Bodies, int Connections);

internal sealed record Row(Scenario Scenario, string Endpoint, LoadResult Result, (double Server, double LoadGenerator, double Other) Cores, long PeakRss)
{
    /// <summary>Server CPU time per acknowledged record: the figure least moved by other load on the machine.</summary>
    public double CpuMicrosecondsPerRecord => Result.Records == 0 ? double.NaN : Cores.Server * Result.Elapsed.TotalSeconds * 1e6 / Result.Records;
}
