using System.Globalization;
using System.Net;

namespace OpenEngage.Web.Tests;

/// <summary>The list "as of" a past time: the profiles as they were then, rebuilt from the property history.</summary>
public sealed class AsOfListTests : IAsyncLifetime
{
    private WebServer _server = null!;

    public async Task InitializeAsync() => _server = await WebServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheListAsOfAPastTimeShowsThePastValuesAndNoBulkChanges()
    {
        var twoHoursAgo = DateTimeOffset.UtcNow.AddHours(-2);
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u1","$time":{{{twoHoursAgo.ToUnixTimeSeconds()}}},"$set":{"plan":"old-plan"}}]""");
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u1","$set":{"plan":"new-plan"}}]""");
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u2","$set":{"plan":"later-plan"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        await session.GetAsync("/?set_columns=1&column=plan");
        var (_, now, _) = await session.GetAsync("/");
        Assert.Contains("new-plan", now, StringComparison.Ordinal);
        Assert.Contains("Change all matches", now, StringComparison.Ordinal);

        // The page's date field sends minutes in UTC; the URL then carries the API's as_of_timestamp.
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        var (status, then, _) = await session.GetAsync("/?as_of=" + Uri.EscapeDataString(hourAgo));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"as-of-status\"", then, StringComparison.Ordinal);
        Assert.Contains("old-plan", then, StringComparison.Ordinal);
        Assert.DoesNotContain("new-plan", then, StringComparison.Ordinal);
        Assert.Contains("/profile?distinct_id=u1", then, StringComparison.Ordinal);
        Assert.DoesNotContain("/profile?distinct_id=u2", then, StringComparison.Ordinal);
        Assert.DoesNotContain("Change all matches", then, StringComparison.Ordinal);
        Assert.Contains("as_of_timestamp=", then, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATimeBeyondTheHistoryIsRefusedAndTheListShowsNow()
    {
        await _server.EngageAsync($$$"""[{"$token":"{{{WebServer.Token}}}","$distinct_id":"u1","$set":{"plan":"new-plan"}}]""");
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));

        var (status, page, _) = await session.GetAsync("/?as_of_timestamp=1000000000");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("the history reaches back to", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"as-of-status\"", page, StringComparison.Ordinal);
        Assert.Contains("/profile?distinct_id=u1", page, StringComparison.Ordinal);
    }
}
