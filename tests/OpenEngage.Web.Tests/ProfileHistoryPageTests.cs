using System.Net;

namespace OpenEngage.Web.Tests;

/// <summary>The profile page's history: who changed which property, when, from what to what, newest first.</summary>
public sealed class ProfileHistoryPageTests : IAsyncLifetime
{
    private WebServer _server = null!;

    public async Task InitializeAsync() => _server = await WebServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheProfilePageListsEachChangeWithItsSourceAndBothValuesNewestFirst()
    {
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u1","$time":{{{hourAgo}}},"$set":{"plan":"first-plan"}}]""");
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u1","$set":{"plan":"second-plan"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/profile?distinct_id=u1", "/profile?handler=Set", ("distinct_id", "u1"), ("name", "plan"), ("type", "string"), ("value", "third-plan"))).Status);

        var (status, page, _) = await session.GetAsync("/profile?distinct_id=u1");

        Assert.Equal(HttpStatusCode.OK, status);
        var start = page.IndexOf("id=\"history\"", StringComparison.Ordinal);
        Assert.True(start > 0, "the page has a history section");
        var history = page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)];
        var rows = history.Split("<tr", StringSplitOptions.None).Where(row => row.Contains("<code>plan</code>", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("ui (api-secret)", rows[0], StringComparison.Ordinal);
        Assert.Contains("second-plan", rows[0], StringComparison.Ordinal);
        Assert.Contains("third-plan", rows[0], StringComparison.Ordinal);
        Assert.Contains("engage", rows[1], StringComparison.Ordinal);
        Assert.Contains("first-plan", rows[1], StringComparison.Ordinal);
        Assert.Contains("second-plan", rows[1], StringComparison.Ordinal);
        Assert.Contains("first-plan", rows[2], StringComparison.Ordinal);
        Assert.Contains("—", WebUtility.HtmlDecode(rows[2]), StringComparison.Ordinal);
        Assert.Contains("/api/query/history?distinct_id=u1", history, StringComparison.Ordinal);
    }
}
