using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace OpenEngage.Server.Tests;

/// <summary>
/// The rate limits (contract §6): records per second per project, concurrent queries per project,
/// and slowed failed authentications. The records limit refills one record per 100 s here, so
/// nothing depends on how fast the test runs.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly string[] SlowRefill = ["RateLimiting:RecordsPerSecond=0.01", "RateLimiting:Burst=3"];

    [Fact]
    public async Task Records_beyond_a_projects_burst_are_refused_with_429_Retry_After_and_the_JSON_error()
    {
        await using var server = await RunningServer.StartAsync(SlowRefill);

        Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{Record(RunningServer.Token, "a1")},{Record(RunningServer.Token, "a2")}]")));
        Assert.Equal((200, "1"), Status(await server.PostJsonAsync(Record(RunningServer.Token, "a3"))));

        var (status, body, response) = await server.PostJsonAsync(Record(RunningServer.Token, "a4"));
        Assert.Equal(429, status);
        Assert.True(response.Headers.RetryAfter?.Delta is { } retryAfter && retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        var error = JsonNode.Parse(body)!;
        Assert.Equal(0, (int)error["status"]!);
        Assert.Contains("rate limit", (string)error["error"]!, StringComparison.Ordinal);
        Assert.Null(await server.ProfileAsync("a4"));

        // The same answer for a form body from a browser SDK, which retries on it.
        using var form = new FormUrlEncodedContent([new("data", Record(RunningServer.Token, "a5"))]);
        using var formResponse = await server.Client.PostAsync("/engage?verbose=1", form);
        Assert.Equal(HttpStatusCode.TooManyRequests, formResponse.StatusCode);
        Assert.NotNull(formResponse.Headers.RetryAfter);
        Assert.Null(await server.ProfileAsync("a5"));

        // Another project has its own budget.
        Assert.Equal((200, "1"), Status(await server.PostJsonAsync(Record(RunningServer.OtherToken, "b1"))));
        Assert.NotNull(await server.ProfileAsync("b1", RunningServer.OtherSecret));
    }

    [Fact]
    public async Task A_request_mixing_projects_is_refused_as_a_whole_and_spends_no_budget()
    {
        await using var server = await RunningServer.StartAsync(SlowRefill);
        Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{Record(RunningServer.Token, "a1")},{Record(RunningServer.Token, "a2")},{Record(RunningServer.Token, "a3")}]")));

        // The first project's budget is spent: nothing of the request is applied, the other project's record included.
        Assert.Equal(429, (await server.PostJsonAsync($"[{Record(RunningServer.OtherToken, "b1")},{Record(RunningServer.Token, "a4")}]")).Status);
        Assert.Null(await server.ProfileAsync("b1", RunningServer.OtherSecret));

        // The other project still has its whole burst.
        Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{Record(RunningServer.OtherToken, "b2")},{Record(RunningServer.OtherToken, "b3")},{Record(RunningServer.OtherToken, "b4")}]")));
    }

    [Fact]
    public async Task A_request_larger_than_the_burst_is_refused_with_413_so_it_is_not_retried()
    {
        await using var server = await RunningServer.StartAsync(SlowRefill);
        var records = string.Join(',', Enumerable.Range(1, 4).Select(i => Record(RunningServer.Token, $"big{i}")));
        var (status, body, response) = await server.PostJsonAsync($"[{records}]");
        Assert.Equal(413, status);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Contains("RateLimiting:Burst", (string)JsonNode.Parse(body)!["error"]!, StringComparison.Ordinal);
        Assert.Null(await server.ProfileAsync("big1"));

        // It spent nothing: a request within the burst goes through.
        Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{Record(RunningServer.Token, "s1")},{Record(RunningServer.Token, "s2")},{Record(RunningServer.Token, "s3")}]")));
    }

    [Fact]
    public async Task Without_settings_records_are_not_limited()
    {
        await using var server = await RunningServer.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            var records = string.Join(',', Enumerable.Range(0, 200).Select(j => Record(RunningServer.Token, $"u{i}-{j}")));
            Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{records}]")));
        }
    }

    [Fact]
    public async Task Queries_beyond_a_projects_concurrency_and_queue_are_refused_with_429_until_a_turn_is_free()
    {
        await using var server = await RunningServer.StartAsync("RateLimiting:QueryConcurrency=1", "RateLimiting:QueryQueueLimit=0");

        // About 12 MB of profiles: more than the socket buffers hold, so a query whose answer is not
        // read keeps its turn until the client goes away.
        var item = new string('x', 240);
        for (var batch = 0; batch < 12; batch++)
        {
            var records = string.Join(',', Enumerable.Range(0, 5).Select(i =>
            {
                var list = string.Join(',', Enumerable.Range(0, 800).Select(n => $"\"{n:D4}{item}\""));
                return $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"big-{{{batch}}}-{{{i}}}","$set":{"blob":[{{{list}}}]}}""";
            }));
            Assert.Equal((200, "1"), Status(await server.PostJsonAsync($"[{records}]")));
        }

        using var reader = new HttpClient { BaseAddress = server.Address };
        using var held = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage");
        held.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        var heldResponse = await reader.SendAsync(held, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, heldResponse.StatusCode);

        var (status, body) = await QueryAsync(server.Client);
        Assert.Equal(429, status);
        Assert.Equal("error", (string?)JsonNode.Parse(body)!["status"]);

        // Another project is not held up.
        Assert.Equal(200, (await QueryAsync(server.Client, RunningServer.OtherSecret)).Status);

        // The client goes away; its turn is freed.
        heldResponse.Dispose();
        reader.Dispose();
        var watch = Stopwatch.StartNew();
        while ((status = (await QueryAsync(server.Client)).Status) == 429 && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Wrong_credentials_are_answered_more_slowly_with_each_recent_failure()
    {
        await using var server = await RunningServer.StartAsync();
        var elapsed = new List<TimeSpan>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var watch = Stopwatch.StartNew();
            var (status, _) = await QueryAsync(server.Client, "wrong-secret");
            elapsed.Add(watch.Elapsed);
            Assert.Equal(401, status);
        }

        // Delays of 100, 200, 400 and 800 ms (a timer may fire a little early: a margin of 50 ms each).
        Assert.True(elapsed[3] >= TimeSpan.FromMilliseconds(750), string.Join(", ", elapsed));
        Assert.True(elapsed.Sum(span => span.TotalMilliseconds) >= 1300, string.Join(", ", elapsed));

        // The right credentials still work.
        Assert.Equal(200, (await QueryAsync(server.Client)).Status);
    }

    [Theory]
    [InlineData("RateLimiting:RecordsPerSecond=-1")]
    [InlineData("RateLimiting:RecordsPerSecond=0.0001")]
    [InlineData("RateLimiting:Burst=-5")]
    [InlineData("RateLimiting:QueryConcurrency=-1")]
    [InlineData("RateLimiting:QueryQueueSeconds=-1")]
    [InlineData("Health:WriterStallSeconds=0")]
    public async Task Invalid_settings_stop_the_server_at_start(string setting)
    {
        var directory = Directory.CreateTempSubdirectory("openengage-test-").FullName;
        try
        {
            await using var app = OpenEngageServer.Build(["--urls=http://127.0.0.1:0", $"--Storage:Path={directory}", "--" + setting]);
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains(setting.Split('=')[0].Split(':')[1], error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Record(string token, string id) =>
        $$$"""{"$token":"{{{token}}}","$distinct_id":"{{{id}}}","$set":{"plan":"pro"}}""";

    private static (int, string) Status((int Status, string Body, HttpResponseMessage Response) answer) => (answer.Status, answer.Body);

    private static async Task<(int Status, string Body)> QueryAsync(HttpClient client, string secret = RunningServer.Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?distinct_id=nobody");
        request.Headers.Authorization = RunningServer.Basic(secret, "");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
