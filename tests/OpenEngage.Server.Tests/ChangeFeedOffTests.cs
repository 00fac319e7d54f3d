using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>With History:RetentionDays = 0 no change is recorded, and the feed says so.</summary>
public sealed class ChangeFeedOffTests
{
    [Fact]
    public async Task TheFeedAnswers404WithTheReasonWhenHistoryIsOff()
    {
        await using var server = await RunningServer.StartAsync("History:RetentionDays=0");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/changes");
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");

        var (status, body) = await server.SendAsync(request);

        Assert.Equal(404, status);
        Assert.Contains("History:RetentionDays is 0", (string)JsonNode.Parse(body)!["error"]!, StringComparison.Ordinal);
    }
}
