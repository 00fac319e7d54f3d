using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.BenchSupport;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Querying;
using OpenEngage.Storage;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;

// Usage: dotnet run -c Release --project bench/QueryBench -- [profiles=1000000] [data directory] [PostgreSQL connection string] [--only=<text>]
// With a connection string (an argument containing "Host="), the PostgreSQL store is measured too,
// in the same run and the same table; a directory alone measures the embedded store alone.
// --only=<text> runs only the queries whose name contains the text (and the reference).
var only = args.FirstOrDefault(a => a.StartsWith("--only=", StringComparison.Ordinal))?["--only=".Length..];
args = [.. args.Where(a => !a.StartsWith("--only=", StringComparison.Ordinal))];
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var directory = args.Skip(1).FirstOrDefault(a => !a.Contains("Host=", StringComparison.OrdinalIgnoreCase));
var connectionString = args.Skip(1).FirstOrDefault(a => a.Contains("Host=", StringComparison.OrdinalIgnoreCase));
if (directory is null && connectionString is null)
{
    directory = Path.Combine(Path.GetTempPath(), $"openengage-query-bench-{count}");
}

const string Project = BenchProfiles.Project;
var now = BenchProfiles.Now;
var engine = new ProfileEngine(ProfileLimits.Default);

var stores = new List<(string Name, IProfileStore Store, Func<Task<long>> BareScan)>();
if (directory is not null)
{
    var sqlite = new SqliteProfileStore(new SqliteStoreOptions { Path = directory }, engine, NullLogger<SqliteProfileStore>.Instance);
    var file = Path.Combine(directory, SqliteProfileStore.DatabaseFileName);
    stores.Add(("SQLite", sqlite, () => SqliteScanAsync(file)));
}

if (connectionString is not null)
{
    var postgres = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, engine, NullLogger<PostgresProfileStore>.Instance);
    stores.Add(("PostgreSQL", postgres, () => PostgresScanAsync(connectionString)));
}

var filters = new (string Name, string Where)[]
{
    ("equality: plan == \"pro\"", "properties[\"plan\"] == \"pro\""),
    ("numeric range: 30 <= age < 40", "properties[\"age\"] >= 30 and properties[\"age\"] < 40"),
    ("list membership: \"beta\" in tags", "\"beta\" in properties[\"tags\"]"),
    ("defined(email)", "defined(properties[\"email\"])"),
    ("datetime range on $last_seen (one week)", "properties[\"$last_seen\"] >= datetime(\"2024-05-01\") and properties[\"$last_seen\"] < datetime(\"2024-05-08\")"),
    ("substring: \"user4242\" in email", "\"user4242\" in properties[\"email\"]"),
    ("compound and: pro, 30 <= age, \"beta\" in tags", "properties[\"plan\"] == \"pro\" and properties[\"age\"] >= 30 and \"beta\" in properties[\"tags\"]"),
    ("compound or: JP, logins > 450, \"vip\" in tags", "properties[\"country\"] == \"JP\" or properties[\"logins\"] > 450 or \"vip\" in properties[\"tags\"]"),
};

var cases = new List<(string Name, int Runs, Func<IProfileStore, Task<(long Result, TimeSpan? Answered)>> Run)>
{
    ("lookup by id", 50, async store => ((await store.GetAsync(ProfileKey.User(Project, "user-" + (count / 2))))?.Properties.Count ?? 0, null)),
    ("lookup of 100 ids (distinct_ids)", 50, async store => ((await store.QueryAsync(new ProfileQuery(Project, "") { DistinctIds = [.. Enumerable.Range(0, 100).Select(i => "user-" + (i * 7919 % count))] })).Total, null)),
    ("API first page, no filter (count + window)", 3, store => FirstPage(store, null, null)),
    ("sorted by $last_seen: first page (QueryAsync)", 3, async store => ((await store.QueryAsync(new ProfileQuery(Project, "") { SortKey = "$last_seen", Descending = true, Limit = 1000, Now = now })).Profiles.Count, null)),
    ("sorted by $last_seen: API first page (count + window)", 3, store => FirstPage(store, null, "$last_seen")),
    ("sorted by $last_seen: every id in order (the session snapshot)", 3, async store => ((await store.QueryIdsAsync(new ProfileQuery(Project, "") { SortKey = "$last_seen", Descending = true, Now = now })).Count, null)),
    ("plan == \"pro\" sorted by $last_seen: API first page", 3, store => FirstPage(store, "properties[\"plan\"] == \"pro\"", "$last_seen")),
    ("fallback in memory: age + 1 > 80 (all ids)", 1, store => Snapshot(store, "properties[\"age\"] + 1 > 80")),
};
// History and as-of: after the fill, one profile in ten is changed an hour later (its plan), so a
// query as of half an hour after the fill rebuilds those 10 % from their history.
var changedAt = now.AddHours(1);
var asOf = now.AddMinutes(30);
cases.Add(("history of one changed profile, newest first (ReadHistoryAsync)", 50, async store =>
    (await ((IProfileHistory)store).ReadHistoryAsync(new HistoryQuery(ProfileKey.User(Project, "user-" + (count / 2 / 10 * 10)))).CountAsync(), null)));
cases.Add(("as of 30 min after the fill, 10 % changed since: API first page, no filter", 3, store => AsOfFirstPage(store, null)));
cases.Add(("as of 30 min after the fill, 10 % changed since: plan == \"pro\" first page", 3, store => AsOfFirstPage(store, "properties[\"plan\"] == \"pro\"")));

foreach (var (name, where) in filters)
{
    cases.Add((name + ": count + first page (QueryAsync)", 3, store => Count(store, where)));
    cases.Add((name + ": API first page (count + window)", 3, store => FirstPage(store, where, null)));
    cases.Add((name + ": every id in order (the session snapshot)", 3, store => Snapshot(store, where)));
}

if (only is not null)
{
    cases.RemoveAll(c => !c.Name.Contains(only, StringComparison.Ordinal));
}

// Per store: the reference first (a bare scan of every row, the floor of any filter), then every
// case; each figure is also given as a multiple of its store's bare scan from the same run.
using var process = Process.GetCurrentProcess();
var results = new Dictionary<(string Store, string Case), Measurement>();
var scans = new Dictionary<string, Measurement>();
foreach (var (storeName, store, bareScan) in stores)
{
    var load = Stopwatch.StartNew();
    await store.InitializeAsync();
    await BenchProfiles.FillAsync(store, count);
    await ChangeOneInTenAsync(store);
    Console.Error.WriteLine($"{storeName}: ready in {load.Elapsed.TotalSeconds:F1} s; measuring...");
    scans[storeName] = await MeasureAsync(3, async () => (await bareScan(), null));
    foreach (var (name, runs, run) in cases)
    {
        results[(storeName, name)] = await MeasureAsync(runs, () => run(store));
        Console.Error.WriteLine($"  {name}: {Format(results[(storeName, name)].Median)}");
    }

    await store.DisposeAsync();
}

var culture = CultureInfo.InvariantCulture;
var loadAverage = string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
Console.WriteLine($"{count:N0} profiles; median of the runs (min); × scan: the median as a multiple of the same store's bare scan in this run. Load average at the end: {loadAverage}.");
Console.WriteLine();
Console.WriteLine("| query | matches | " + string.Join(" | ", stores.Select(s => $"{s.Name} median (min) | × scan")) + " |");
Console.WriteLine("| --- | ---: | " + string.Join(" | ", stores.Select(_ => "---: | ---:")) + " |");
Console.WriteLine("| bare scan (reference): count(*) reading every row's properties | " + scans.Values.First().Result.ToString("N0", culture) + " | " + string.Join(" | ", stores.Select(s => $"{Format(scans[s.Name].Median)} ({Format(scans[s.Name].Min)}) | 1.00")) + " |");
foreach (var (name, _, _) in cases)
{
    var matches = results[(stores[0].Name, name)].Result;
    var cells = stores.Select(s =>
    {
        var m = results[(s.Name, name)];
        var mismatch = m.Result == matches ? "" : $" ({m.Result:N0} matches)";
        return $"{Format(m.Median)} ({Format(m.Min)}){mismatch} | {(m.Median / scans[s.Name].Median).ToString("0.00", culture)}";
    });
    Console.WriteLine($"| {name} | {matches.ToString("N0", culture)} | {string.Join(" | ", cells)} |");
}

// A warm-up run, then the median and minimum of the timed runs. For an API first page the time is
// until the page is answered (the store's later search for every id is read after the clock).
async Task<Measurement> MeasureAsync(int runs, Func<Task<(long Result, TimeSpan? Answered)>> run)
{
    var (result, _) = await run();
    var times = new List<double>();
    for (var r = 0; r < runs; r++)
    {
        var watch = Stopwatch.StartNew();
        (result, var answered) = await run();
        times.Add((answered ?? watch.Elapsed).TotalMilliseconds);
    }

    times.Sort();
    return new Measurement(result, times[times.Count / 2], times[0]);
}

async Task<(long, TimeSpan?)> Snapshot(IProfileStore store, string where) =>
    ((await store.QueryIdsAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), Now = now })).Count, null);

// What the Query API's first page of a session costs: the count and the window. The store goes on
// finding every id for the later pages on the same snapshot; that is read after the clock stops,
// so it does not overlap the next run.
async Task<(long, TimeSpan?)> FirstPage(IProfileStore store, string? where, string? sortKey)
{
    var watch = Stopwatch.StartNew();
    var snapshot = await store.SnapshotIdsAsync(new ProfileQuery(Project, "") { Where = where is null ? null : WhereExpression.Parse(where), SortKey = sortKey, Descending = true, Limit = 1000, Now = now });
    var answered = watch.Elapsed;
    var all = await snapshot.ReadAllAsync();
    return all.Count == snapshot.Total ? (snapshot.Total, answered) : throw new InvalidOperationException("The snapshot disagrees with its total.");
}

async Task<(long, TimeSpan?)> Count(IProfileStore store, string where) =>
    ((await store.QueryAsync(new ProfileQuery(Project, "") { Where = WhereExpression.Parse(where), Limit = 1000, Now = now })).Total, null);

static async Task<long> SqliteScanAsync(string file)
{
    await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT count(*) FROM profiles WHERE length(properties) > 0;";
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<long> PostgresScanAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT count(*) FROM profiles WHERE jsonb_typeof(properties) = 'object';", connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static string Format(double ms) => ms < 10 ? $"{ms:F2} ms" : $"{ms:F0} ms";

// One profile in ten gets a new plan an hour after the fill (once: a store that has them keeps them).
async Task ChangeOneInTenAsync(IProfileStore store)
{
    var history = (IProfileHistory)store;
    if (await history.ReadChangesAfterAsync(Project, "", now.ToUnixTimeMilliseconds()).AnyAsync())
    {
        return;
    }

    for (var start = 0; start < count; start += 50_000)
    {
        var updates = Enumerable.Range(start, Math.Min(50_000, count - start)).Where(i => i % 10 == 0).Select(i => new ProfileUpdate
        {
            Key = new ProfileKey(Project, "", "user-" + i),
            Time = changedAt,
            IgnoreTime = true,
            Operations = new() { Set = [new("plan", "changed")] },
        }).ToList();
        await store.ApplyAsync(updates);
    }
}

async Task<(long Result, TimeSpan? Answered)> AsOfFirstPage(IProfileStore store, string? where)
{
    var service = new AsOfQueryService(store, (IProfileHistory)store);
    var query = new ProfileQuery(Project, "") { Where = where is null ? null : WhereExpression.Parse(where), Now = now };
    var page = await service.PageAsync(query, asOf, 0, 1000, CancellationToken.None);
    return (page.Total, null);
}

internal sealed record Measurement(long Result, double Median, double Min);
