using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Web.Tests;

/// <summary>The pages over HTTP, without a browser: sign-in, roles, writes through the pipeline, CSV, bulk changes.</summary>
public sealed partial class WebPagesTests : IAsyncLifetime
{
    private WebServer _server = null!;

    public async Task InitializeAsync() => _server = await WebServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task InProductionTheSignInPageAndItsStylesheetAndScriptLoad()
    {
        Assert.Equal("Production", _server.EnvironmentName);
        using var session = new BrowserSession(_server);

        var (status, _, response) = await session.GetAsync("/");
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var (signInStatus, page, _) = await session.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, signInStatus);
        Assert.Contains("type=\"password\"", page, StringComparison.Ordinal);
        var assets = AssetReference().Matches(page).Select(match => match.Groups[1].Value).ToList();
        Assert.Equal(2, assets.Count);
        foreach (var asset in assets)
        {
            var (assetStatus, body, assetResponse) = await session.GetAsync(WebUtility.HtmlDecode(asset));
            Assert.Equal(HttpStatusCode.OK, assetStatus);
            Assert.True(body.Length > 500, $"{asset} has {body.Length} characters");
            Assert.Equal(asset.Contains(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript", assetResponse.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task AServiceAccountWithAnUnknownRoleStopsTheServerAtStart()
    {
        var data = Directory.CreateTempSubdirectory("openengage-web-role-").FullName;
        try
        {
            var app = OpenEngage.Server.OpenEngageServer.Build([
                "--environment=Production", "--urls=http://127.0.0.1:0", $"--Storage:Path={data}",
                "--Projects:0:Name=p", "--Projects:0:Token=t", "--Projects:0:ApiSecret=s",
                "--Projects:0:ServiceAccounts:0:Username=u", "--Projects:0:ServiceAccounts:0:Secret=x", "--Projects:0:ServiceAccounts:0:Role=admin",
            ]);
            await using (app)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenEngage.Server.OpenEngageServer.StartAsync(app));
                Assert.Contains("Role 'admin'", error.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task WrongCredentialsAreRefusedAndOpenNothing()
    {
        using var session = new BrowserSession(_server);

        Assert.Equal(HttpStatusCode.Unauthorized, await session.SignInAsync("", "not-the-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await session.SignInAsync(WebServer.Viewer, WebServer.EditorSecret));
        Assert.Equal(HttpStatusCode.Found, (await session.GetAsync("/")).Status);
    }

    [Fact]
    public async Task TheApiSecretAloneSignsInAsTheOwnerUntilSignOut()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$set":{"$name":"Ann Lee","$email":"ann@example.com"}}]""");
        using var session = new BrowserSession(_server);

        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        var (status, page, _) = await session.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Ann Lee", page, StringComparison.Ordinal);
        Assert.Contains("(owner)", page, StringComparison.Ordinal);
        Assert.Contains("Change all matches", page, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/", "/signout")).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.GetAsync("/")).Status);
    }

    [Fact]
    public async Task AReaderSeesEverythingButNoWriteActionAndItsForgedWritesGet403()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync(WebServer.Viewer, WebServer.ViewerSecret));

        var (status, page, _) = await session.GetAsync("/profile?distinct_id=u1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("pro", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Delete profile", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Set a property", page, StringComparison.Ordinal);
        var (_, list, _) = await session.GetAsync("/");
        Assert.DoesNotContain("Change all matches", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Save filter", list, StringComparison.Ordinal);

        // The sign-out form gives a valid antiforgery token: the refusal is the role's, not the token's.
        Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/", "/profile?handler=Delete", ("distinct_id", "u1"), ("confirm", "yes"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/", "/profile?handler=Set", ("distinct_id", "u1"), ("name", "plan"), ("type", "string"), ("value", "x"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/", "/bulk", ("operation", "delete"), ("confirm", "yes"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.PostAsync("/", "/?handler=SaveFilter", ("name", "x"))).Status);
        Assert.Equal("pro", (string?)(await _server.ProfileAsync("u1"))!["plan"]);
    }

    [Fact]
    public async Task AWriteWithoutTheAntiforgeryTokenIsRefused()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = session.Cookies, AllowAutoRedirect = false }) { BaseAddress = _server.Address };
        using var content = new FormUrlEncodedContent([new("distinct_id", "u1"), new("confirm", "yes")]);

        using var response = await client.PostAsync("/profile?handler=Delete", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(await _server.ProfileAsync("u1"));
    }

    [Fact]
    public async Task EditsGoThroughThePipelineWithTheirTypesAndLeaveLastSeen()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$time":1700000000,"$set":{"plan":"pro","gone":1}}]""");
        var lastSeen = (string?)(await _server.ProfileAsync("u1"))!["$last_seen"];
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        const string Page = "/profile?distinct_id=u1";

        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "u1"), ("name", "plan"), ("type", "string"), ("value", "enterprise"))).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "u1"), ("name", "seats"), ("type", "number"), ("value", "12.5"))).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "u1"), ("name", "tags"), ("type", "json"), ("value", """["a", {"b": true}]"""))).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "u1"), ("name", "beta"), ("type", "boolean"), ("value", "true"))).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync(Page, "/profile?handler=Unset", ("distinct_id", "u1"), ("name", "gone"))).Status);
        var refused = await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "u1"), ("name", "seats"), ("type", "number"), ("value", "many"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("is not a number", refused.Body, StringComparison.Ordinal);
        var profile = (await _server.ProfileAsync("u1"))!;
        Assert.Equal("enterprise", (string?)profile["plan"]);
        Assert.Equal(12.5m, (decimal)profile["seats"]!);
        Assert.Equal("""["a",{"b":true}]""", profile["tags"]!.ToJsonString());
        Assert.True((bool)profile["beta"]!);
        Assert.False(profile.ContainsKey("gone"));
        Assert.Equal(lastSeen, (string?)profile["$last_seen"]);

        var (status, shown, _) = await session.GetAsync(Page);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("enterprise", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingAProfileRemovesItAtOnce()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro"}},{"$token":"web-token","$distinct_id":"u2","$set":{"plan":"pro"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var unconfirmed = await session.PostAsync("/profile?distinct_id=u1", "/profile?handler=Delete", ("distinct_id", "u1"));
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.Status);
        Assert.NotNull(await _server.ProfileAsync("u1"));

        var deleted = await session.PostAsync("/profile?distinct_id=u1", "/profile?handler=Delete", ("distinct_id", "u1"), ("confirm", "yes"));
        Assert.Equal(HttpStatusCode.Found, deleted.Status);
        Assert.Null(await _server.ProfileAsync("u1"));
        Assert.NotNull(await _server.ProfileAsync("u2"));
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync("/profile?distinct_id=u1")).Status);
    }

    [Fact]
    public async Task TheCsvExportIsRfc4180InUtf8WithABomAndEmptyCellsForNull()
    {
        await _server.EngageAsync("""
            [{"$token":"web-token","$distinct_id":"a,1","$set":{"$name":"Ann \"the\" Lee","$email":"ann@example.com","$city":null,"$country_code":"FR","$last_seen":"2024-01-02T03:04:05"}},
             {"$token":"web-token","$distinct_id":"b2","$set":{"$name":"Line\nbreak","$email":"b@example.com","$city":"Zürich","$last_seen":"2024-01-01T00:00:00"}},
             {"$token":"web-token","$distinct_id":"c3","$set":{"plan":"free"}}]
            """);
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var bytes = await session.GetBytesAsync("/export.csv?where=" + Uri.EscapeDataString("defined(properties[\"$email\"])"));

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = new UTF8Encoding(false, true).GetString(bytes[3..]);
        Assert.Equal(
            "$distinct_id,$name,$email,$city,$country_code,$last_seen\r\n"
            + "\"a,1\",\"Ann \"\"the\"\" Lee\",ann@example.com,,FR,2024-01-02T03:04:05\r\n"
            + "b2,\"Line\nbreak\",b@example.com,Zürich,,2024-01-01T00:00:00\r\n",
            text);
    }

    [Fact]
    public async Task ABulkSetChangesEveryMatchInBatchesAndReportsItsProgress()
    {
        var records = new JsonArray();
        for (var i = 0; i < 1200; i++)
        {
            records.Add(new JsonObject { ["$token"] = WebServer.Token, ["$distinct_id"] = $"u{i:D4}", ["$set"] = new JsonObject { ["plan"] = i % 2 == 0 ? "pro" : "free" } });
        }

        for (var start = 0; start < 1200; start += 600)
        {
            await _server.EngageAsync(new JsonArray([.. records.Skip(start).Take(600).Select(r => r!.DeepClone())]).ToJsonString());
        }

        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        var where = Uri.EscapeDataString("properties[\"plan\"] == \"pro\"");
        var (_, confirm, _) = await session.GetAsync("/bulk?where=" + where);
        Assert.Contains(">600</strong>", confirm, StringComparison.Ordinal);

        var started = await session.PostAsync("/bulk?where=" + where, "/bulk", ("where", "properties[\"plan\"] == \"pro\""), ("operation", "set"), ("property", "segment"), ("type", "string"), ("value", "vip"), ("confirm", "yes"));
        Assert.Equal(HttpStatusCode.Found, started.Status);
        var jobPath = started.Response.Headers.Location!.OriginalString;
        Assert.StartsWith("/jobs/", jobPath, StringComparison.Ordinal);

        var state = await WaitForJobAsync(session, jobPath["/jobs/".Length..]);
        Assert.Equal("finished", (string?)state["state"]);
        Assert.Equal(600, (long)state["total"]!);
        Assert.Equal(600, (long)state["done"]!);
        Assert.Equal(0, (long)state["failed"]!);
        var (_, vip) = await _server.QueryAsync("page_size=1&where=" + Uri.EscapeDataString("properties[\"segment\"] == \"vip\""));
        Assert.Equal(600, (long)vip["total"]!);
        var (_, withPlan) = await _server.QueryAsync("page_size=1&where=" + Uri.EscapeDataString("properties[\"segment\"] == \"vip\" and properties[\"plan\"] == \"pro\""));
        Assert.Equal(600, (long)withPlan["total"]!);
        var (jobStatus, jobPage, _) = await session.GetAsync(jobPath);
        Assert.Equal(HttpStatusCode.OK, jobStatus);
        Assert.Contains("Set segment to &quot;vip&quot;", jobPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancelledBulkChangeStopsBetweenTwoBatches()
    {
        var records = new JsonArray();
        for (var i = 0; i < 1200; i++)
        {
            records.Add(new JsonObject { ["$token"] = WebServer.Token, ["$distinct_id"] = $"u{i:D4}", ["$set"] = new JsonObject { ["plan"] = "free" } });
        }

        for (var start = 0; start < 1200; start += 600)
        {
            await _server.EngageAsync(new JsonArray([.. records.Skip(start).Take(600).Select(r => r!.DeepClone())]).ToJsonString());
        }

        // The job waits after its first batch until the test has pressed Cancel.
        var reachedSecondBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var jobs = _server.Services.GetRequiredService<BulkJobs>();
        jobs.BetweenBatches = async _ =>
        {
            reachedSecondBatch.TrySetResult();
            await cancelled.Task;
        };
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var started = await session.PostAsync("/bulk", "/bulk", ("operation", "set"), ("property", "segment"), ("type", "string"), ("value", "x"), ("confirm", "yes"));
        var jobPath = started.Response.Headers.Location!.OriginalString;
        await reachedSecondBatch.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var cancel = await session.PostAsync(jobPath, jobPath + "?handler=Cancel");
        Assert.Equal(HttpStatusCode.Found, cancel.Status);
        cancelled.SetResult();

        var state = await WaitForJobAsync(session, jobPath["/jobs/".Length..]);
        Assert.Equal(("cancelled", 1200L, 500L), ((string?)state["state"], (long)state["total"]!, (long)state["done"]!));
        var (_, changed) = await _server.QueryAsync("page_size=1&where=" + Uri.EscapeDataString("properties[\"segment\"] == \"x\""));
        Assert.Equal(500, (long)changed["total"]!);
    }

    [Fact]
    public async Task ABulkDeleteOfAQuickSearchRemovesOnlyTheMatches()
    {
        await _server.EngageAsync("""
            [{"$token":"web-token","$distinct_id":"u1","$set":{"$email":"ANN@example.com"}},
             {"$token":"web-token","$distinct_id":"u2","$set":{"$name":"Annabel"}},
             {"$token":"web-token","$distinct_id":"u3","$set":{"$name":"Bob"}}]
            """);
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var started = await session.PostAsync("/bulk?q=ann", "/bulk", ("q", "ann"), ("operation", "delete"), ("confirm", "yes"));
        var state = await WaitForJobAsync(session, started.Response.Headers.Location!.OriginalString["/jobs/".Length..]);

        Assert.Equal(("finished", 2L), ((string?)state["state"], (long)state["done"]!));
        Assert.Null(await _server.ProfileAsync("u1"));
        Assert.Null(await _server.ProfileAsync("u2"));
        Assert.NotNull(await _server.ProfileAsync("u3"));
    }

    [Fact]
    public async Task TheListShowsTheParsersPositionForABadWhereAndTheBuilderWritesAWhere()
    {
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var (status, page, _) = await session.GetAsync("/?where=" + Uri.EscapeDataString("properties[\"a\"] = 1"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("position 16: expected &#x27;==&#x27; but found &#x27;=&#x27;", page, StringComparison.Ordinal);

        var (built, _, response) = await session.GetAsync("/?add_condition=1&property=plan&operator=eq&type=string&value=pro");
        Assert.Equal(HttpStatusCode.Found, built);
        var first = response.Headers.Location!.OriginalString;
        Assert.Equal("/?where=" + Uri.EscapeDataString("properties[\"plan\"] == \"pro\""), first);
        var (_, _, second) = await session.GetAsync(first + "&add_condition=1&join=or&property=age&operator=ge&type=number&value=-3");
        Assert.Equal("properties[\"plan\"] == \"pro\" or properties[\"age\"] >= -3", Uri.UnescapeDataString(second.Headers.Location!.OriginalString["/?where=".Length..]));
    }

    [Fact]
    public async Task AnAccountOfSeveralProjectsPicksOneAndSeesOnlyItsProfiles()
    {
        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"first-project-user","$set":{}},{"$token":"web-other-token","$distinct_id":"second-project-user","$set":{}}]""");
        using var session = new BrowserSession(_server);
        var (status, _, response) = await session.PostAsync("/signin", "/signin", ("username", WebServer.Editor), ("secret", WebServer.EditorSecret), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.StartsWith("/project", response.Headers.Location!.OriginalString, StringComparison.Ordinal);

        Assert.Contains("first-project-user", (await session.GetAsync("/")).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/project", "/project", ("projectId", "second"))).Status);
        var (_, page, _) = await session.GetAsync("/");
        Assert.Contains("second-project-user", page, StringComparison.Ordinal);
        Assert.DoesNotContain("first-project-user", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupProfilesAreListedAndEditedUnderTheirGroupKey()
    {
        using (var client = _server.ApiClient())
        {
            using var content = new StringContent("""[{"$token":"web-token","$group_key":"company","$group_id":"acme","$set":{"$name":"Acme Inc","size":10}}]""", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/groups", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _server.EngageAsync("""[{"$token":"web-token","$distinct_id":"acme-user","$set":{"$name":"Not a group"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var (_, list, _) = await session.GetAsync("/?data_group_id=company");
        Assert.Contains("Acme Inc", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Not a group", list, StringComparison.Ordinal);
        Assert.Contains("href=\"/profile?distinct_id=acme&amp;data_group_id=company\"", list, StringComparison.Ordinal);

        const string Page = "/profile?distinct_id=acme&data_group_id=company";
        var set = await session.PostAsync(Page, "/profile?handler=Set", ("distinct_id", "acme"), ("data_group_id", "company"), ("name", "size"), ("type", "number"), ("value", "250"));
        Assert.Equal(HttpStatusCode.Found, set.Status);
        Assert.Equal(Page, set.Response.Headers.Location!.OriginalString);

        var (status, body) = await _server.QueryAsync("data_group_id=company&distinct_id=acme");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(250, (int)body["results"]![0]!["$properties"]!["size"]!);
        Assert.Null(await _server.ProfileAsync("acme"));
    }

    [Fact]
    public async Task ChosenColumnsAreRememberedAndExportedAndPagesComeInOrder()
    {
        await _server.EngageAsync("""
            [{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro","$email":"1@x"}},
             {"$token":"web-token","$distinct_id":"u2","$set":{"plan":"free","$email":"2@x"}},
             {"$token":"web-token","$distinct_id":"u3","$set":{"plan":"pro","$email":"3@x"}}]
            """);
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var (status, _, response) = await session.GetAsync("/?page_size=2&set_columns=1&column=plan&add_column=" + Uri.EscapeDataString("$email"));
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("/?page_size=2", response.Headers.Location!.OriginalString);

        var (_, first, _) = await session.GetAsync("/?page_size=2");
        Assert.Matches(new Regex(">plan<span[^>]*></span></a>\\s*</th>\\s*<th[^>]*>\\s*<a[^>]*>\\$email<"), first);
        Assert.DoesNotContain(">$city<", first, StringComparison.Ordinal);
        Assert.Contains("Page 1 of 2", first, StringComparison.Ordinal);
        Assert.Equal(["u1", "u2"], RowIds().Matches(first).Select(match => match.Groups[1].Value));
        var (_, second, _) = await session.GetAsync("/?page_size=2&page=1");
        Assert.Contains("Page 2 of 2", second, StringComparison.Ordinal);
        Assert.Equal(["u3"], RowIds().Matches(second).Select(match => match.Groups[1].Value));

        var csv = Encoding.UTF8.GetString((await session.GetBytesAsync("/export.csv?sort_key=" + Uri.EscapeDataString("properties[\"$email\"]") + "&sort_order=descending"))[3..]);
        Assert.Equal("$distinct_id,$name,plan,$email\r\nu3,,pro,3@x\r\nu2,,free,2@x\r\nu1,,pro,1@x\r\n", csv);
    }

    [Fact]
    public async Task ASavedFilterCanBeDeleted()
    {
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/", "/?handler=SaveFilter", ("where", "true"), ("name", "everyone"))).Status);
        var (_, filters, _) = await session.GetAsync("/filters");
        var id = Regex.Match(filters, "everyone</a></th>\\s*<td>(\\d+)</td>").Groups[1].Value;

        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/filters", "/filters?handler=Delete", ("id", id))).Status);

        var (_, after, _) = await session.GetAsync("/filters");
        Assert.DoesNotContain("everyone", after, StringComparison.Ordinal);
        Assert.Contains("No saved filters yet", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageWhoseStoreFailsSaysSoWithA500()
    {
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        await _server.Services.GetRequiredService<OpenEngage.Storage.IProfileStore>().DisposeAsync();

        var (status, page, _) = await session.GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("This page could not be shown", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePropertyOverviewCountsNamesTypesAndValues()
    {
        await _server.EngageAsync("""
            [{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro","n":1,"tags":["a","b"]}},
             {"$token":"web-token","$distinct_id":"u2","$set":{"plan":"pro","n":"one","tags":["a"]}},
             {"$token":"web-token","$distinct_id":"u3","$set":{"plan":"free"}}]
            """);
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var (_, overview, _) = await session.GetAsync("/properties");
        Assert.Matches(new Regex(">n</a></th>\\s*<td>number, string</td>\\s*<td class=\"number\">2</td>"), overview);
        Assert.Matches(new Regex(">plan</a></th>\\s*<td>string</td>\\s*<td class=\"number\">3</td>"), overview);
        var (_, plan, _) = await session.GetAsync("/properties?name=plan");
        Assert.Matches(new Regex(">pro</a>\\s*</th>\\s*<td>string</td>\\s*<td class=\"number\">2</td>"), plan);
        var (_, tags, _) = await session.GetAsync("/properties?name=tags");
        Assert.Matches(new Regex(">a</a>\\s*</th>\\s*<td>string</td>\\s*<td class=\"number\">2</td>"), tags);
    }

    internal static async Task<JsonObject> WaitForJobAsync(BrowserSession session, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, body, _) = await session.GetAsync("/ui/jobs/" + id);
            Assert.Equal(HttpStatusCode.OK, status);
            var state = JsonNode.Parse(body)!.AsObject();
            if ((string?)state["state"] is "finished" or "cancelled" or "failed")
            {
                return state;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the job did not finish within 60 s: {body}");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex("<th scope=\"row\">\\s*<a href=\"/profile\\?distinct_id=([^\"&]+)\"")]
    private static partial Regex RowIds();

    [GeneratedRegex("(?:href|src)=\"(/ui/app\\.(?:css|js)[^\"]*)\"")]
    private static partial Regex AssetReference();
}
