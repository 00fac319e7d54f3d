namespace OpenEngage.Server.Tests;

/// <summary>Events acknowledged on <c>/track</c> without being stored are counted; identity events are not among them.</summary>
[Collection(MetricsCollection.Name)]
public sealed class EventMetricsTests
{
    [Fact]
    public async Task EventsThatAreNotStoredAreCounted()
    {
        await using var server = await RunningServer.StartAsync();
        var before = await PrometheusScrape.ReadAsync(server);
        var t = RunningServer.Token;

        var (status, body, _) = await server.PostJsonAsync($$$"""
            [{"event":"Viewed","properties":{"token":"{{{t}}}","distinct_id":"m1"}},
             {"event":"Clicked","properties":{"token":"{{{t}}}","distinct_id":"m1"}},
             {"event":"$identify","properties":{"token":"{{{t}}}","$identified_id":"m1","$anon_id":"d1"}},
             {"event":"Broken"}]
            """, "/track");

        Assert.Equal((200, "1"), (status, body));
        var after = await PrometheusScrape.ReadAsync(server);
        Assert.Equal(2, after.Sum("openengage_events_acknowledged_not_stored_total") - before.Sum("openengage_events_acknowledged_not_stored_total"));
        Assert.Equal(3, after.Sum("openengage_records_applied_total") - before.Sum("openengage_records_applied_total"));
        Assert.Equal(1, after.Sum("openengage_records_rejected_total", "reason=\"invalid_record\"") - before.Sum("openengage_records_rejected_total", "reason=\"invalid_record\""));
    }
}
