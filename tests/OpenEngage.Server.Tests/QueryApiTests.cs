using System.Net;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>Contract §9: where filters, sorting, paging with sessions, groups and service accounts, through the real server.</summary>
public sealed class QueryApiTests : IAsyncLifetime
{
    private const string Reader = "reader";
    private const string ReaderSecret = "reader-secret";

    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(
            $"Projects:0:ServiceAccounts:0:Username={Reader}",
            $"Projects:0:ServiceAccounts:0:Secret={ReaderSecret}",
            $"Projects:1:ServiceAccounts:0:Username={Reader}",
            $"Projects:1:ServiceAccounts:0:Secret={ReaderSecret}",
            "Projects:1:ServiceAccounts:1:Username=only-other",
            "Projects:1:ServiceAccounts:1:Secret=only-other-secret");

        // u00..u19: i = 0..19, plan pro for even i, tags with "vip" for i divisible by 5.
        var records = string.Join(",", Enumerable.Range(0, 20).Select(i =>
            $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"u{{{i:D2}}}","$set":{"i":{{{i}}},"plan":"{{{(i % 2 == 0 ? "pro" : "free")}}}","tags":[{{{(i % 5 == 0 ? "\"vip\"" : "\"x\"")}}}]}}"""));
        await Post($"[{records}]");
        await Post($$$"""{"$token":"{{{RunningServer.OtherToken}}}","$distinct_id":"o1","$set":{"i":1}}""");
        await Post($$$"""{"$token":"{{{RunningServer.Token}}}","$group_key":"company","$group_id":"acme","$set":{"size":50}}""", "/groups");
        await Post($$$"""{"$token":"{{{RunningServer.Token}}}","$group_key":"company","$group_id":"tiny","$set":{"size":2}}""", "/groups");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Where_filters_and_total_counts_every_match()
    {
        var (status, body) = await QueryAsync("where=" + Uri.EscapeDataString("properties[\"plan\"] == \"pro\" and properties[\"i\"] >= 4") + "&page_size=3");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(8, (int)body["total"]!);
        Assert.Equal(["u04", "u06", "u08"], Ids(body));
    }

    [Theory]
    [InlineData("\"vip\" in properties[\"tags\"]", new[] { "u00", "u05", "u10", "u15" })]
    [InlineData("defined(properties[\"tags\"]) and properties[\"i\"] % 7 == 0", new[] { "u00", "u07", "u14" })]
    [InlineData("not (properties[\"i\"] < 18)", new[] { "u18", "u19" })]
    [InlineData("properties[\"$last_seen\"] > datetime(\"2000-01-01\") and properties[\"i\"] == 3", new[] { "u03" })]
    [InlineData("user[\"missing\"] == 1", new string[0])]
    public async Task Where_follows_the_language(string where, string[] expected)
    {
        var (status, body) = await QueryAsync("where=" + Uri.EscapeDataString(where) + "&sort_key=" + Uri.EscapeDataString("properties[\"i\"]") + "&sort_order=ascending");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Ids(body));
        Assert.Equal(expected.Length, (int)body["total"]!);
    }

    [Fact]
    public async Task Where_works_as_a_form_post_with_distinct_ids()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["distinct_ids"] = """["u01","u02","u03","nobody"]""",
            ["where"] = "properties[\"plan\"] == \"free\"",
        });
        var (status, body) = await QueryAsync("", form: form);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["u01", "u03"], Ids(body));
    }

    [Theory]
    [InlineData("properties[\"plan\"] = \"pro\"", "position 19: expected '=='")]
    [InlineData("(1 + 2", "position 6")]
    [InlineData("foo(1)", "expected a function")]
    public async Task A_malformed_where_is_400_with_the_parsers_message(string where, string fragment)
    {
        var (status, body) = await QueryAsync("where=" + Uri.EscapeDataString(where));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", (string)body["status"]!);
        Assert.Contains(fragment, (string)body["error"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sort_key=i")]
    [InlineData("sort_key=" + "properties%5B%22i%22%5D&sort_order=sideways")]
    public async Task Bad_sort_parameters_are_400(string parameters)
    {
        var (status, body) = await QueryAsync(parameters);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", (string)body["status"]!);
    }

    [Fact]
    public async Task Sort_key_orders_descending_by_default_and_ascending_on_request()
    {
        var sort = "sort_key=" + Uri.EscapeDataString("properties[\"i\"]");
        var (_, descending) = await QueryAsync(sort + "&page_size=3");
        Assert.Equal(["u19", "u18", "u17"], Ids(descending));
        var (_, ascending) = await QueryAsync(sort + "&sort_order=ascending&page_size=3");
        Assert.Equal(["u00", "u01", "u02"], Ids(ascending));

        var (_, lastSeen) = await QueryAsync("sort_key=" + Uri.EscapeDataString("properties[\"$last_seen\"]") + "&page_size=1000");
        Assert.Equal(20, Ids(lastSeen).Count);
    }

    [Fact]
    public async Task Pages_of_a_session_see_one_order_while_writes_go_on()
    {
        var sort = "sort_key=" + Uri.EscapeDataString("properties[\"i\"]") + "&sort_order=ascending&page_size=6";
        var (_, first) = await QueryAsync(sort + "&page=0");
        var session = (string)first["session_id"]!;
        Assert.Equal(20, (int)first["total"]!);
        var seen = Ids(first);

        // New profiles sorting first, and a profile moved from a later page to the front.
        await Post(string.Join(",", ["[" + string.Join(",", Enumerable.Range(0, 5).Select(i => $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"new{{{i}}}","$set":{"i":-{{{i + 1}}}}}""")), $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"u19","$set":{"i":-100}}"""]) + "]");

        for (var page = 1; page < 4; page++)
        {
            var (status, body) = await QueryAsync($"{sort}&page={page}&session_id={session}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(session, (string)body["session_id"]!);
            Assert.Equal(20, (int)body["total"]!);
            seen.AddRange(Ids(body));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"u{i:D2}"), seen);

        // A new query sees the writes.
        var (_, fresh) = await QueryAsync(sort + "&page=0");
        Assert.Equal(25, (int)fresh["total"]!);
        Assert.Equal("u19", Ids(fresh)[0]);
    }

    [Fact]
    public async Task Output_properties_limit_each_result()
    {
        var (_, body) = await QueryAsync("where=" + Uri.EscapeDataString("properties[\"i\"] == 2") + "&output_properties=" + Uri.EscapeDataString("""["plan","nope"]"""));
        var properties = Assert.Single(body["results"]!.AsArray())!["$properties"]!.AsObject();
        Assert.Equal("""{"plan":"pro"}""", properties.ToJsonString());
    }

    [Fact]
    public async Task Data_group_id_queries_group_profiles()
    {
        var (status, body) = await QueryAsync("data_group_id=company&where=" + Uri.EscapeDataString("properties[\"size\"] > 10"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["acme"], Ids(body));
    }

    [Fact]
    public async Task A_service_account_of_several_projects_picks_one_with_project_id()
    {
        var (ambiguous, error) = await QueryAsync("where=true", Reader, ReaderSecret);
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous);
        Assert.Contains("project_id", (string)error["error"]!, StringComparison.Ordinal);

        var (status, body) = await QueryAsync("project_id=test", Reader, ReaderSecret);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(20, (int)body["total"]!);

        var (_, other) = await QueryAsync("project_id=other", Reader, ReaderSecret);
        Assert.Equal(["o1"], Ids(other));

        var (onlyOther, single) = await QueryAsync("", "only-other", "only-other-secret");
        Assert.Equal(HttpStatusCode.OK, onlyOther);
        Assert.Equal(["o1"], Ids(single));
    }

    [Theory]
    [InlineData(Reader, "wrong", "project_id=test", HttpStatusCode.Unauthorized)]
    [InlineData("nobody", ReaderSecret, "project_id=test", HttpStatusCode.Unauthorized)]
    [InlineData(Reader, "", "project_id=test", HttpStatusCode.Unauthorized)]
    [InlineData("only-other", "only-other-secret", "project_id=test", HttpStatusCode.Forbidden)]
    [InlineData(RunningServer.Secret, "", "project_id=other", HttpStatusCode.Forbidden)]
    [InlineData(Reader, ReaderSecret, "project_id=no-such-project", HttpStatusCode.Forbidden)]
    public async Task Bad_credentials_are_401_and_other_projects_403(string user, string password, string parameters, HttpStatusCode expected)
    {
        var (status, body) = await QueryAsync(parameters, user, password);
        Assert.Equal(expected, status);
        Assert.Equal("error", (string)body["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["error"]));
    }

    [Fact]
    public async Task The_api_secret_still_works_with_its_own_project_id()
    {
        var (status, body) = await QueryAsync("project_id=test&distinct_id=u01");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["u01"], Ids(body));
    }

    private static List<string> Ids(JsonNode body) => [.. body["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!)];

    private async Task Post(string json, string path = "/engage")
    {
        var (status, body, _) = await _server.PostJsonAsync(json, path);
        Assert.True(status == 200 && body == "1", $"{status} {body}");
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> QueryAsync(string parameters, string user = RunningServer.Secret, string password = "", HttpContent? form = null)
    {
        using var request = new HttpRequestMessage(form is null ? HttpMethod.Get : HttpMethod.Post, "/api/query/engage?" + parameters) { Content = form };
        request.Headers.Authorization = RunningServer.Basic(user, password);
        using var response = await _server.Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
