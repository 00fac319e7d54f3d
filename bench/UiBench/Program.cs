using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.BenchSupport;
using OpenEngage.Profiles;
using OpenEngage.Server;
using OpenEngage.Storage.Sqlite;

// Usage: dotnet run -c Release --project bench/UiBench -- [profiles=1000000] [data directory]
// Fills an embedded (SQLite) store with the profiles bench/QueryBench uses (once; a second run reuses
// them), starts the server on it in the Production environment, signs in through the form and times
// the HTML of the list pages and the query API's first page over HTTP on loopback.
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var directory = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), $"openengage-ui-bench-{count}");
const string Project = BenchProfiles.Project;
const string Secret = "bench-secret";

await using (var store = new SqliteProfileStore(new SqliteStoreOptions { Path = directory }, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance))
{
    await store.InitializeAsync();
    await BenchProfiles.FillAsync(store, count);
}

var app = OpenEngageServer.Build([
    "--environment=Production", "--urls=http://127.0.0.1:0", $"--Storage:Path={directory}", "--Logging:LogLevel:Default=Warning",
    $"--Projects:0:Name={Project}", "--Projects:0:Token=t", $"--Projects:0:ApiSecret={Secret}",
]);
await OpenEngageServer.StartAsync(app);
var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
var cookies = new CookieContainer();
using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = address };
var signIn = await client.GetStringAsync("/signin");
var token = WebUtility.HtmlDecode(Regex.Match(signIn, "name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
using (var form = new FormUrlEncodedContent([new("__antiforgery", token), new("username", ""), new("secret", Secret)]))
{
    using var response = await client.PostAsync("/signin", form);
    if (response.StatusCode != HttpStatusCode.Found)
    {
        throw new InvalidOperationException($"Sign-in answered {response.StatusCode}");
    }
}

using var api = new HttpClient { BaseAddress = address };
api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secret + ":")));

var cases = new (string Name, HttpClient Client, string Path, int Runs)[]
{
    ("list page (50 by distinct id, with the total)", client, "/", 9),
    ("query API first page (page_size=50, with the total)", api, "/api/query/engage?page_size=50", 9),
    ("list page sorted by $last_seen", client, "/?sort_key=" + Uri.EscapeDataString("properties[\"$last_seen\"]") + "&sort_order=descending", 5),
    ("query API first page sorted by $last_seen", api, "/api/query/engage?page_size=50&sort_key=" + Uri.EscapeDataString("properties[\"$last_seen\"]"), 5),
    ("list page filtered: plan == \"pro\"", client, "/?where=" + Uri.EscapeDataString("properties[\"plan\"] == \"pro\""), 5),
    ("list page, quick search \"user 4242\" (a full scan)", client, "/?q=" + Uri.EscapeDataString("user 4242"), 3),
    ("property overview (a full scan)", client, "/properties", 1),
};

Console.WriteLine($"| HTTP request ({count:N0} profiles) | bytes | median | min |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (name, http, path, runs) in cases)
{
    // One untimed request first: the page's code, the store's caches and the connection are warm.
    await http.GetByteArrayAsync(path);
    var times = new List<double>();
    var bytes = 0;
    for (var run = 0; run < runs; run++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path} answered {response.StatusCode}");
        }

        bytes = body.Length;
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"| {name} | {bytes:N0} | {times[times.Count / 2]:F0} ms | {times[0]:F0} ms |");
}

await app.StopAsync();
await app.DisposeAsync();
