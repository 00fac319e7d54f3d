using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OpenEngage.Http.Changes;
using OpenEngage.Storage;

namespace OpenEngage.Server.Tests;

/// <summary>GET /api/changes: pages in commit order, resuming from a cursor, long polling, server-sent events, and its errors.</summary>
public sealed class ChangeFeedApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task PostAsync(string id, string json, string token = RunningServer.Token, string path = "/engage")
    {
        var key = path == "/groups" ? $"\"$group_key\":\"company\",\"$group_id\":\"{id}\"" : $"\"$distinct_id\":\"{id}\"";
        var (status, body, _) = await _server.PostJsonAsync($$"""{"$token":"{{token}}",{{key}},{{json}}}""", path);
        Assert.True(status == 200 && body == "1", $"{status} {body}");
    }

    private async Task<(int Status, JsonObject Body)> GetAsync(string query, string secret = RunningServer.Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/changes" + query);
        request.Headers.Authorization = RunningServer.Basic(secret, "");
        var (status, body) = await _server.SendAsync(request);
        return (status, JsonNode.Parse(body)!.AsObject());
    }

    /// <summary>
    /// Reads pages from <paramref name="after"/> (long polling) until <paramref name="expected"/>
    /// changes came. On PostgreSQL a committed change is readable once every older write
    /// transaction of the cluster has ended, and other tests write at the same time.
    /// </summary>
    private async Task<(List<JsonObject> Changes, string Next)> ReadAsync(int expected, string after = "", string query = "", string secret = RunningServer.Secret)
    {
        var all = new List<JsonObject>();
        while (all.Count < expected)
        {
            var (status, page) = await GetAsync($"?wait=30&after={Uri.EscapeDataString(after)}{query}", secret);
            Assert.Equal(200, status);
            var got = Changes(page);
            Assert.True(got.Count > 0, $"only {all.Count} of {expected} changes came");
            all.AddRange(got);
            after = (string)page["next"]!;
        }

        Assert.Equal(expected, all.Count);
        return (all, after);
    }

    private static List<JsonObject> Changes(JsonObject page) => [.. page["changes"]!.AsArray().Select(change => change!.AsObject())];

    [Fact]
    public async Task ChangesComeInOrderAndAReaderResumingFromNextSeesEachOnce()
    {
        await PostAsync("u1", "\"$set\":{\"plan\":\"free\"}");
        await PostAsync("u2", "\"$set\":{\"plan\":\"pro\"}");
        await PostAsync("u1", "\"$unset\":[\"plan\"]");
        await PostAsync("o1", "\"$set\":{\"x\":1}", RunningServer.OtherToken);
        await PostAsync("u2", "\"$delete\":\"\"");

        var (changes, next) = await ReadAsync(4);
        Assert.Equal(["u1", "u2", "u1", "u2"], changes.Select(change => (string)change["$distinct_id"]!));
        Assert.Equal(["upsert", "upsert", "upsert", "delete"], changes.Select(change => (string)change["kind"]!));
        Assert.Equal("free", (string)changes[0]["changed"]!["plan"]!);
        Assert.Contains("plan", changes[2]["removed"]!.AsArray().Select(name => (string)name!));
        Assert.Equal("{}", changes[3]["changed"]!.ToJsonString());
        Assert.All(changes, change => Assert.True(DateTimeOffset.TryParse((string)change["received"]!, out _) && DateTimeOffset.TryParse((string)change["time"]!, out _)));
        Assert.Equal((string)changes[^1]["cursor"]!, next);

        // Two at a time from the start, then from each next: the same changes, each once.
        var paged = new List<string>();
        var after = "";
        while (true)
        {
            var (_, page) = await GetAsync($"?limit=2&after={Uri.EscapeDataString(after)}");
            var got = Changes(page);
            Assert.True(got.Count <= 2);
            paged.AddRange(got.Select(change => (string)change["cursor"]!));
            after = (string)page["next"]!;
            if (got.Count == 0)
            {
                break;
            }
        }

        Assert.Equal(changes.Select(change => (string)change["cursor"]!), paged);

        await PostAsync("u3", "\"$set\":{\"plan\":\"pro\"}");
        var (later, _) = await ReadAsync(1, after);
        Assert.Equal(["u3"], later.Select(change => (string)change["$distinct_id"]!));

        var (other, _) = await ReadAsync(1, secret: RunningServer.OtherSecret);
        Assert.Equal(["o1"], other.Select(change => (string)change["$distinct_id"]!));
    }

    [Fact]
    public async Task GroupChangesAreReadWithDataGroupId()
    {
        await PostAsync("acme", "\"$set\":{\"size\":5}", path: "/groups");
        await PostAsync("u1", "\"$set\":{\"a\":1}");

        var (groups, _) = await ReadAsync(1, query: "&data_group_id=company");
        var (users, _) = await ReadAsync(1);

        Assert.Equal(["acme"], groups.Select(change => (string)change["$distinct_id"]!));
        Assert.Equal(["u1"], users.Select(change => (string)change["$distinct_id"]!));
    }

    [Fact]
    public async Task ALongPollIsAnsweredByTheNextChange()
    {
        await PostAsync("u1", "\"$set\":{\"a\":1}");
        var (_, first) = await ReadAsync(1);
        var next = Uri.EscapeDataString(first);

        // Generous wait: the answer comes when the change is committed, not at the deadline.
        var polling = GetAsync($"?after={next}&wait=60");
        await PostAsync("u2", "\"$set\":{\"a\":2}");
        var (status, page) = await polling.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(200, status);
        Assert.Equal(["u2"], Changes(page).Select(change => (string)change["$distinct_id"]!));
    }

    [Fact]
    public async Task AnEventStreamSendsEachChangeWithItsCursorAsIdAndResumesFromLastEventId()
    {
        await PostAsync("u1", "\"$set\":{\"a\":1}");
        await PostAsync("u2", "\"$set\":{\"a\":2}");

        var first = await ReadEventsAsync(null, 2);
        Assert.Equal(["u1", "u2"], first.Select(e => (string)e.Data["$distinct_id"]!));
        Assert.All(first, e => Assert.Equal((string)e.Data["cursor"]!, e.Id));

        await PostAsync("u3", "\"$set\":{\"a\":3}");
        var resumed = await ReadEventsAsync(first[0].Id, 2);
        Assert.Equal(["u2", "u3"], resumed.Select(e => (string)e.Data["$distinct_id"]!));
    }

    private async Task<List<(string Id, JsonObject Data)>> ReadEventsAsync(string? lastEventId, int count)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/changes");
        request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string, JsonObject)>();
        string? id = null;
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((id!, JsonNode.Parse(line["data: ".Length..])!.AsObject()));
            }
        }

        return events;
    }

    [Theory]
    [InlineData("?after=not-a-cursor", 400, "after is not a cursor")]
    [InlineData("?limit=0", 400, "limit must be an integer from 1 to 1000")]
    [InlineData("?limit=1001", 400, "limit must be an integer from 1 to 1000")]
    [InlineData("?wait=61", 400, "wait must be an integer from 0 to 60")]
    [InlineData("?wait=-1", 400, "wait must be an integer from 0 to 60")]
    public async Task BadParametersAreRefusedWithAClearMessage(string query, int status, string message)
    {
        var (got, body) = await GetAsync(query);
        Assert.Equal(status, got);
        Assert.Contains(message, (string)body["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACursorOlderThanTheRetentionIsGone()
    {
        var old = new ChangeCursor(new ChangePosition(0, 1), DateTimeOffset.UtcNow.AddDays(-91).ToUnixTimeMilliseconds()).ToString();
        var recent = new ChangeCursor(new ChangePosition(0, 1), DateTimeOffset.UtcNow.AddDays(-89).ToUnixTimeMilliseconds()).ToString();

        var (status, body) = await GetAsync($"?after={old}");
        var (fine, _) = await GetAsync($"?after={recent}");

        Assert.Equal(410, status);
        Assert.Contains("older than the change log keeps (History:RetentionDays = 90)", (string)body["error"]!, StringComparison.Ordinal);
        Assert.Equal(200, fine);
    }

    [Fact]
    public async Task TheFeedNeedsQueryCredentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/changes");
        var (status, _) = await _server.SendAsync(request);
        var (wrong, _) = await GetAsync("", "no-such-secret");

        Assert.Equal(401, status);
        Assert.Equal(401, wrong);
    }
}
