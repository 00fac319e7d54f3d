using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>The Query API's <c>as_of_timestamp</c> through the real server: profiles as they were at a past time.</summary>
public sealed class AsOfQueryTests : IAsyncLifetime
{
    // Whole minutes well inside the 90 days of history, so every record is within retention.
    private static readonly long T0 = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeSeconds() / 60 * 60;

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_past_time_answers_the_profiles_as_they_were_then_with_where_and_sort()
    {
        await Post("kept", 1, """ "$set":{"plan":"free","n":1} """);
        await Post("changed", 1, """ "$set":{"plan":"free","n":2} """);
        await Post("gone", 1, """ "$set":{"plan":"free","n":3} """);
        await Post("changed", 10, """ "$set":{"plan":"pro"}, "$unset":["n"] """);
        await Post("gone", 10, """ "$delete":"" """);
        await Post("late", 10, """ "$set":{"plan":"free","n":4} """);

        // A record of minute 3 arriving last still belongs to the state at minute 5.
        await Post("changed", 3, """ "$set":{"seats":7} """);

        var (status, now) = await QueryAsync("where=" + Uri.EscapeDataString("properties[\"plan\"] == \"free\""));
        Assert.Equal(200, status);
        Assert.Equal(["kept", "late"], Ids(now));

        var at = T0 + (5 * 60);
        var (_, then) = await QueryAsync($"as_of_timestamp={at}&where=" + Uri.EscapeDataString("properties[\"plan\"] == \"free\"")
            + "&sort_key=" + Uri.EscapeDataString("properties[\"n\"]") + "&sort_order=descending");
        Assert.Equal(3, (int)then["total"]!);
        Assert.Equal(["gone", "changed", "kept"], Ids(then));
        var changed = then["results"]!.AsArray().Single(r => (string?)r!["$distinct_id"] == "changed")!["$properties"]!;
        Assert.Equal((2, 7), ((int)changed["n"]!, (int)changed["seats"]!));

        var (_, before) = await QueryAsync($"as_of_timestamp={T0}&distinct_ids=" + Uri.EscapeDataString("[\"kept\",\"late\"]"));
        Assert.Empty(Ids(before));
    }

    [Theory]
    [InlineData("abc", "Unix seconds")]
    [InlineData("-5", "Unix seconds")]
    [InlineData("1000000000", "can go back as far as the history is kept")]
    public async Task A_bad_or_too_old_time_is_400_saying_why(string value, string message)
    {
        var (status, body) = await QueryAsync("as_of_timestamp=" + value);
        Assert.Equal(400, status);
        Assert.Contains(message, (string)body["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_history_off_an_as_of_query_is_400()
    {
        await using var server = await RunningServer.StartAsync("History:RetentionDays=0");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/engage?as_of_timestamp={T0}");
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        var (status, body) = await server.SendAsync(request);
        Assert.Equal(400, status);
        Assert.Contains("history, which is off", body, StringComparison.Ordinal);
    }

    private static List<string> Ids(JsonNode answer) => [.. answer["results"]!.AsArray().Select(r => (string)r!["$distinct_id"]!)];

    private async Task Post(string id, int minute, string operations)
    {
        var record = $$"""{"$token":"{{RunningServer.Token}}","$distinct_id":"{{id}}","$time":{{T0 + (minute * 60)}},{{operations}}}""";
        var (status, body, _) = await _server.PostJsonAsync(record);
        Assert.True(status == 200 && body.Trim() == "1", body);
    }

    private async Task<(int Status, JsonNode Body)> QueryAsync(string parameters)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?" + parameters);
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        using var response = await _server.Client.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
