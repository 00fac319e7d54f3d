using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.BenchSupport;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;

// Usage: dotnet run -c Release --project bench/QueryBench -- [profiles=1000000] [data directory | PostgreSQL connection string]
// A second argument containing "Host=" is an Npgsql connection string: the PostgreSQL store is measured.
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var directory = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), $"openengage-query-bench-{count}");
const string Project = BenchProfiles.Project;
var now = BenchProfiles.Now;

var engine = new ProfileEngine(ProfileLimits.Default);
IProfileStore store = directory.Contains("Host=", StringComparison.OrdinalIgnoreCase)
    ? new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = directory }, engine, NullLogger<PostgresProfileStore>.Instance)
    : new SqliteProfileStore(new SqliteStoreOptions { Path = directory }, engine, NullLogger<SqliteProfileStore>.Instance);
await store.InitializeAsync();

await BenchProfiles.FillAsync(store, count);

var filters = new (string Name, string Where)[]
{
    ("equality: plan == \"pro\"", "properties[\"plan\"] == \"pro\""),
    ("numeric range: 30 <= age < 40", "properties[\"age\"] >= 30 and properties[\"age\"] < 40"),
    ("list membership: \"beta\" in tags", "\"beta\" in properties[\"tags\"]"),
    ("defined(email)", "defined(properties[\"email\"])"),
    ("datetime range on $last_seen (one week)", "properties[\"$last_seen\"] >= datetime(\"2024-05-01\") and properties[\"$last_seen\"] < datetime(\"2024-05-08\")"),
};

var cases = new List<(string Name, Func<Task<long>> Run)>
{
    ("lookup by id", async () => (await store.GetAsync(ProfileKey.User(Project, "user-" + (count / 2))))?.Properties.Count ?? 0),
    ("lookup of 100 ids (distinct_ids)", async () => (await store.QueryAsync(new ProfileQuery(Project, "") { DistinctIds = [.. Enumerable.Range(0, 100).Select(i => "user-" + (i * 7919 % count))] })).Total),
    ("first page sorted by $last_seen", async () => (await store.QueryAsync(new ProfileQuery(Project, "") { SortKey = "$last_seen", Descending = true, Limit = 1000, Now = now })).Profiles.Count),
    ("API first page sorted by $last_seen (count + window)", () => FirstPage(null, "$last_seen")),
    ("session snapshot: every id sorted by $last_seen", async () => (await store.QueryIdsAsync(new ProfileQuery(Project, "") { SortKey = "$last_seen", Descending = true, Now = now })).Count),
    ("fallback in memory: age + 1 > 80 (all ids)", () => Snapshot("properties[\"age\"] + 1 > 80")),
};
foreach (var (name, where) in filters)
{
    cases.Add((name + ": count + first page", () => Count(where)));
    cases.Add((name + ": API first page (count + window)", () => FirstPage(where, null)));
    cases.Add((name + ": every id in order (the session snapshot)", () => Snapshot(where)));
}

// CPU time of the whole process (every thread) per run: with the scan split across cores it
// exceeds the elapsed time, and it moves less than elapsed time when other work shares the machine.
using var process = Process.GetCurrentProcess();
// For an API first page the time is until the page is answered; the CPU includes the background
// search for every id that follows it.
var lastFirstPage = TimeSpan.Zero;
Console.WriteLine($"| query ({count:N0} profiles) | matches | median | min | CPU (median) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var (name, run) in cases)
{
    var runs = name.StartsWith("fallback", StringComparison.Ordinal) ? 1 : name.StartsWith("lookup", StringComparison.Ordinal) ? 50 : 3;
    long result = 0;
    var times = new List<double>();
    var cpu = new List<double>();
    result = await run(); // warm-up
    for (var r = 0; r < runs; r++)
    {
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        result = await run();
        times.Add((name.Contains("API first page", StringComparison.Ordinal) ? lastFirstPage : watch.Elapsed).TotalMilliseconds);
        process.Refresh();
        cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
    }

    times.Sort();
    cpu.Sort();
    Console.WriteLine($"| {name} | {result:N0} | {Format(times[times.Count / 2])} | {Format(times[0])} | {Format(cpu[cpu.Count / 2])} |");
}

await store.DisposeAsync();

async Task<long> Snapshot(string where) =>
    (await store.QueryIdsAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), Now = now })).Count;

// What the Query API's first page of a session costs: the count and the window. The store goes on
// finding every id for the later pages on the same snapshot; that is read after the clock stops,
// so it does not overlap the next run.
async Task<long> FirstPage(string? where, string? sortKey)
{
    var watch = Stopwatch.StartNew();
    var snapshot = await store.SnapshotIdsAsync(new ProfileQuery(Project, "") { Where = where is null ? null : WhereExpression.Parse(where), SortKey = sortKey, Descending = true, Limit = 1000, Now = now });
    lastFirstPage = watch.Elapsed;
    var all = await snapshot.ReadAllAsync();
    return all.Count == snapshot.Total ? snapshot.Total : throw new InvalidOperationException("The snapshot disagrees with its total.");
}

async Task<long> Count(string where) =>
    (await store.QueryAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), Limit = 1000, Now = now })).Total;

static string Format(double ms) => ms < 10 ? $"{ms:F2} ms" : $"{ms:F0} ms";
