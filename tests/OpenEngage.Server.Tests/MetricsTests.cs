namespace OpenEngage.Server.Tests;

/// <summary><c>GET /metrics</c>: OpenEngage's counters and histograms, through OpenTelemetry's Prometheus exporter.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_received_applied_rejected_and_rate_limited_records_and_the_group_commits()
    {
        await using var server = await RunningServer.StartAsync("RateLimiting:RecordsPerSecond=0.01", "RateLimiting:Burst=4");
        var before = await PrometheusScrape.ReadAsync(server);

        // Two valid records, one invalid one, one of an unknown project: 3 records of the project against its budget of 4.
        var (status, body, _) = await server.PostJsonAsync($$$"""
            [{"$token":"{{{RunningServer.Token}}}","$distinct_id":"m1","$set":{"plan":"pro"}},
             {"$token":"{{{RunningServer.Token}}}","$distinct_id":"m2","$set":{"plan":"free"}},
             {"$token":"{{{RunningServer.Token}}}","$distinct_id":"m3","$add":{"logins":"many"}},
             {"$token":"no-such-token","$distinct_id":"m4","$set":{"plan":"pro"}}]
            """);
        Assert.Equal((200, "1"), (status, body));
        (status, body, _) = await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"m1","$add":{"logins":1}}""");
        Assert.Equal((200, "1"), (status, body));
        (status, _, _) = await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"m5","$set":{"plan":"pro"}}""");
        Assert.Equal(429, status);
        using (var query = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?distinct_id=m1"))
        {
            query.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
            Assert.Equal(200, (await server.SendAsync(query)).Status);
        }

        var after = await PrometheusScrape.ReadAsync(server);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(5, Delta("openengage_records_received_total"));
        Assert.Equal(3, Delta("openengage_records_applied_total"));
        Assert.Equal(1, Delta("openengage_records_rejected_total", "reason=\"invalid_record\""));
        Assert.Equal(1, Delta("openengage_records_rejected_total", "reason=\"unknown_token\""));
        Assert.Equal(0, Delta("openengage_records_rejected_total", "reason=\"store_failure\""));
        Assert.Equal(1, Delta("openengage_rate_limited_total", "limit=\"records\""));

        // The three applied updates were committed, in one or two groups.
        Assert.Equal(3, Delta("openengage_group_commit_size_sum"));
        var groups = Delta("openengage_group_commit_size_count");
        Assert.InRange(groups, 1, 2);
        Assert.Equal(groups, Delta("openengage_group_commit_duration_seconds_count"));
        Assert.Equal(0, after.Sum("openengage_group_commit_queue_depth"));
        Assert.Equal(1, Delta("openengage_query_duration_seconds_count"));

        // Present, and unchanged: profile updates are stored, never merely acknowledged.
        Assert.True(after.Has("openengage_events_acknowledged_not_stored_total"), after.Text);
        Assert.Equal(0, Delta("openengage_events_acknowledged_not_stored_total"));

        // ASP.NET Core's and the runtime's meters are there too.
        Assert.True(after.Has("http_server_request_duration_seconds_count"), "no ASP.NET Core request metrics");
        Assert.True(after.Has("dotnet_gc_collections_total"), "no runtime metrics");

        if (!TestStorage.IsPostgres)
        {
            // m1 and m2 were read from the database; m1's second update found it in the cache.
            Assert.Equal(2, Delta("openengage_profile_cache_misses_total"));
            Assert.Equal(1, Delta("openengage_profile_cache_hits_total"));
        }
    }

    [Fact]
    public async Task Metrics_are_served_in_Prometheus_text_format_without_credentials()
    {
        await using var server = await RunningServer.StartAsync();
        Assert.Equal(200, (await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"p1","$set":{"plan":"pro"}}""")).Status);
        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE openengage_records_received_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE openengage_group_commit_queue_depth gauge", text, StringComparison.Ordinal);
    }
}
