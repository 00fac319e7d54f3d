using System.Text;
using System.Text.Json.Nodes;
using OpenEngage.Compatibility.Tests;

namespace OpenEngage.Web.Tests;

/// <summary>
/// The profile browser in real headless Chromium (Debian's chromium driven by npm playwright-core,
/// tests/ui/run.js): sign in, list, search, filter builder, sort, profile, edit, delete, bulk set,
/// CSV export, saved filter, where error, property overview, phone width and the reader role. The
/// screenshots go to <c>OPENENGAGE_UI_SCREENSHOTS</c> when set (docs/ui is made that way), else to a
/// temporary folder.
/// </summary>
public sealed class BrowserTests
{
    private const long Time = 1704067200; // 2024-01-01T00:00:00Z, so the pages look the same on every run

    private static readonly string[] Others =
    [
        "Grace Hopper", "Alan Turing", "Ada Lovelace", "Linus Torvalds", "Margaret Hamilton", "Ken Thompson",
        "Barbara Liskov", "Dennis Ritchie", "Frances Allen", "John Backus", "Radia Perlman", "Tim Berners-Lee",
        "Katherine Johnson", "Edsger Dijkstra", "Hedy Lamarr", "Donald Knuth", "Shafi Goldwasser", "Niklaus Wirth",
    ];

    [Fact]
    public async Task ANewcomerFindsReadsFixesAndExportsProfilesAndAReaderChangesNothing()
    {
        await using var server = await WebServer.StartAsync();
        var free = await SeedAsync(server);
        var screenshots = Environment.GetEnvironmentVariable("OPENENGAGE_UI_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured, NodeScript.RepositoryRoot)
            : Directory.CreateTempSubdirectory("openengage-ui-shots-").FullName;

        var summary = await NodeScript.RunAsync(
            UiDirectory(), "run.js", TimeSpan.FromSeconds(150),
            server.BaseUrl, WebServer.Secret, WebServer.Viewer, WebServer.ViewerSecret, screenshots);

        Assert.Empty(summary["otherOrigins"]!.AsArray());
        // The only failed loads are the deleted profile's 404 and the reader's refused POST.
        Assert.Equal(
            ["delete: 404", "reader: 403"],
            summary["consoleErrors"]!.AsArray().Select(e => $"{e!["step"]}: {System.Text.RegularExpressions.Regex.Match((string)e["text"]!, "status of (\\d+)").Groups[1].Value}"));

        var list = summary["list"]!;
        Assert.Equal(Others.Length + 6, (int)list["total"]!);
        Assert.Equal(["Profile", "$email", "$city", "$country_code", "$last_seen"], Strings(list["headers"]));

        Assert.Equal(["Ann Lee", "Annabel Smith"], Strings(summary["search"]!["names"]));
        Assert.Equal("properties[\"plan\"] == \"pro\"", (string?)summary["filter"]!["where"]);
        Assert.Equal(4, (int)summary["filter"]!["total"]!);

        var sort = summary["sort"]!;
        Assert.Equal("properties[\"$email\"]", (string?)sort["sortKey"]);
        Assert.Equal("ascending", (string?)sort["ariaAscending"]);
        Assert.Equal(["", "ann@example.com", "bob@example.com", "carol@example.com"], Strings(sort["ascending"]));
        Assert.Equal(["carol@example.com", "bob@example.com", "ann@example.com", ""], Strings(sort["descending"]));
        Assert.Equal("properties[\"plan\"] == \"pro\"", (string?)sort["where"]);

        var profile = summary["profile"]!;
        Assert.Equal(("Ann Lee", "ann"), ((string?)profile["title"], (string?)profile["id"]));
        Assert.Equal("/api/query/engage?distinct_id=ann", (string?)profile["apiLink"]);

        var edit = summary["edit"]!;
        Assert.Equal(("enterprise", "string"), ((string?)edit["plan"], (string?)edit["planType"]));
        Assert.Equal(["beta", "early"], Strings(edit["tags"]));
        Assert.Equal("list", (string?)edit["tagsType"]);
        var ann = (await server.ProfileAsync("ann"))!;
        Assert.Equal("enterprise", (string?)ann["plan"]);
        Assert.Equal("2024-01-01T00:00:00", (string?)ann["$last_seen"]);

        // [time, source, before, after] of the newest change of plan: the edit above.
        var history = summary["history"]!;
        Assert.Equal("History", (string?)history["heading"]);
        var newestPlan = Strings(history["newestPlan"]);
        Assert.Equal(["ui (api-secret)", "enterprise"], new[] { newestPlan[1], newestPlan[3] });
        Assert.Equal("/api/query/history?distinct_id=ann", (string?)history["apiLink"]);

        Assert.Equal(404, (int)summary["delete"]!["statusAfter"]!);
        Assert.Null(await server.ProfileAsync("delete-me"));

        var bulk = summary["bulkSet"]!;
        Assert.Equal([free, free, free, free], new[] { (int)bulk["listed"]!, (int)bulk["count"]!, (int)bulk["done"]!, (int)bulk["total"]! });
        var (_, vip) = await server.QueryAsync("page_size=1&where=" + Uri.EscapeDataString("properties[\"segment\"] == \"vip\""));
        Assert.Equal(free, (int)vip["total"]!);

        var csv = Convert.FromBase64String((string)summary["csv"]!["base64"]!);
        Assert.Equal("profiles.csv", (string?)summary["csv"]!["fileName"]);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        Assert.Equal(
            "$distinct_id,$name,$email,$city,$country_code,$last_seen\r\n"
            + "bob,Bob Martin,bob@example.com,Berlin,DE,2024-01-01T00:00:00\r\n"
            + "carol,\"Carol \"\"CJ\"\" Jones\",carol@example.com,\"Austin, TX\",US,2024-01-01T00:00:00\r\n"
            + "dan,Dan Brown,,Zürich,CH,2024-01-01T00:00:00\r\n",
            new UTF8Encoding(false, true).GetString(csv[3..]));

        var saved = summary["savedFilter"]!;
        Assert.Equal(("3", "properties[\"plan\"] == \"pro\"", 3), ((string?)saved["members"], (string?)saved["where"], (int)saved["total"]!));

        Assert.Equal("position 19: expected '==' but found '='", (string?)summary["whereError"]!["message"]);
        Assert.Equal("where", (string?)summary["whereError"]!["focused"]);

        var values = summary["properties"]!["values"]!.AsArray().Select(row => $"{row![0]}={row[1]}").ToList();
        // Most frequent first: the deleted profile was on trial, Ann moved from pro to enterprise.
        var trial = Others.Length + 6 - 1 - free - 4;
        Assert.Equal(["free=" + free, "trial=" + trial, "pro=3", "enterprise=1"], values);
        Assert.True(free > trial && trial > 3);

        Assert.True((int)summary["phone"]!["listOverflow"]! <= 0, "the list page scrolls sideways at 390 px");
        Assert.True((int)summary["phone"]!["profileOverflow"]! <= 0, "the profile page scrolls sideways at 390 px");

        var reader = summary["reader"]!;
        Assert.Equal(0, (int)reader["listActions"]!);
        Assert.Equal(0, (int)reader["profileActions"]!);
        Assert.Equal(403, (int)reader["forged"]!);
        Assert.Equal("Ann Lee", (string?)reader["stillThere"]);
        Assert.NotNull(await server.ProfileAsync("ann"));

        foreach (var file in summary["screenshots"]!.AsArray().Select(node => (string)node!))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{file} is not a PNG");
        }
    }

    /// <summary>Sends the profiles the script expects and returns how many have the plan "free".</summary>
    private static async Task<int> SeedAsync(WebServer server)
    {
        var records = new JsonArray
        {
            User("ann", "Ann Lee", "ann@example.com", "Paris", "FR", "pro"),
            User("annabel", "Annabel Smith", "annabel@example.com", "London", "GB", "free"),
            User("bob", "Bob Martin", "bob@example.com", "Berlin", "DE", "pro"),
            User("carol", "Carol \"CJ\" Jones", "carol@example.com", "Austin, TX", "US", "pro"),
            User("dan", "Dan Brown", null, "Zürich", "CH", "pro"),
            User("delete-me", "Delete Me", "delete@example.com", "Oslo", "NO", "trial"),
        };
        var free = 1;
        for (var i = 0; i < Others.Length; i++)
        {
            var name = Others[i];
            var plan = i % 2 == 0 ? "free" : "trial";
            free += plan == "free" ? 1 : 0;
            records.Add(User($"user-{i + 1:D2}", name, name.ToLowerInvariant().Replace(' ', '.') + "@example.org", i % 3 == 0 ? "Lisbon" : "Madrid", i % 3 == 0 ? "PT" : "ES", plan));
        }

        await server.EngageAsync(records.ToJsonString());
        return free;
    }

    private static JsonObject User(string id, string name, string? email, string city, string country, string plan) => new()
    {
        ["$token"] = WebServer.Token,
        ["$distinct_id"] = id,
        ["$time"] = Time,
        ["$ip"] = "0",
        ["$set"] = new JsonObject
        {
            ["$name"] = name,
            ["$email"] = email,
            ["$city"] = city,
            ["$country_code"] = country,
            ["plan"] = plan,
            ["signed_up"] = "2023-11-05T09:30:00",
        },
    };

    private static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(item => (string)item!)];

    private static string UiDirectory()
    {
        var directory = Path.Combine(NodeScript.RepositoryRoot, "tests", "ui");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new Xunit.Sdk.XunitException("tests/ui/node_modules is missing: run scripts/deps/20-node-packages.sh (test.sh does) before these tests.");
        }

        return directory;
    }
}
