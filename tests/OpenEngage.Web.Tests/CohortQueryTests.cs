using System.Net;

namespace OpenEngage.Web.Tests;

/// <summary>A filter saved from the pages is a cohort of the query API: <c>filter_by_cohort={"id":N}</c>.</summary>
public sealed class CohortQueryTests : IAsyncLifetime
{
    private WebServer _server = null!;

    public async Task InitializeAsync() => _server = await WebServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheQueryApiRestrictsItsAnswerToASavedFilter()
    {
        await _server.EngageAsync("""
            [{"$token":"web-token","$distinct_id":"u1","$set":{"plan":"pro","age":30}},
             {"$token":"web-token","$distinct_id":"u2","$set":{"plan":"pro","age":50}},
             {"$token":"web-token","$distinct_id":"u3","$set":{"plan":"free","age":30}}]
            """);
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.Secret));
        var saved = await session.PostAsync("/", "/?handler=SaveFilter", ("where", "properties[\"plan\"] == \"pro\""), ("name", "Pro users"));
        Assert.Equal(HttpStatusCode.Found, saved.Status);
        var (_, filters, _) = await session.GetAsync("/filters");
        var id = System.Text.RegularExpressions.Regex.Match(filters, "Pro users</a></th>\\s*<td>(\\d+)</td>").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Matches("<td class=\"number\">2</td>", filters);

        var (status, body) = await _server.QueryAsync("filter_by_cohort=" + Uri.EscapeDataString($$"""{"id":{{id}}}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["u1", "u2"], body["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!).Order());

        var (_, both) = await _server.QueryAsync("filter_by_cohort=" + Uri.EscapeDataString($$"""{"id":{{id}}}""") + "&where=" + Uri.EscapeDataString("properties[\"age\"] < 40"));
        Assert.Equal(["u1"], both["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!));
    }

    [Theory]
    [InlineData("""{"id":999}""", "there is no cohort 999")]
    [InlineData("""{"name":"x"}""", "filter_by_cohort must be a JSON object")]
    [InlineData("12", "filter_by_cohort must be a JSON object")]
    [InlineData("{", "filter_by_cohort must be a JSON object")]
    public async Task AnUnknownOrMalformedCohortIsA400(string parameter, string message)
    {
        var (status, body) = await _server.QueryAsync("filter_by_cohort=" + Uri.EscapeDataString(parameter));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, (string?)body["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherProjectsCohortIsNotFound()
    {
        using var session = new BrowserSession(_server);
        Assert.Equal(HttpStatusCode.Found, await session.SignInAsync("", WebServer.OtherSecret));
        Assert.Equal(HttpStatusCode.Found, (await session.PostAsync("/", "/?handler=SaveFilter", ("where", "true"), ("name", "theirs"))).Status);
        var (_, filters, _) = await session.GetAsync("/filters");
        var id = System.Text.RegularExpressions.Regex.Match(filters, "theirs</a></th>\\s*<td>(\\d+)</td>").Groups[1].Value;

        var (status, body) = await _server.QueryAsync("filter_by_cohort=" + Uri.EscapeDataString($$"""{"id":{{id}}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"there is no cohort {id}", (string?)body["error"], StringComparison.Ordinal);
    }
}
