namespace OpenEngage.Server.Tests;

/// <summary>Webhooks through a real server and a real receiver: signed, in order, retried, filtered, and resumed after a restart.</summary>
public sealed class WebhookDeliveryTests
{
    private const string Secret = "hook-secret";

    private static string[] Hook(WebhookReceiver receiver, params string[] more) =>
    [
        $"Webhooks:0:Url={receiver.Url}",
        $"Webhooks:0:Secret={Secret}",
        "Webhooks:0:Project=test",
        "Webhooks:0:StartFrom=Oldest",
        "WebhookDelivery:InitialBackoff=00:00:00.010",
        "WebhookDelivery:MaxBackoff=00:00:00.050",
        .. more,
    ];

    private static async Task PostAsync(RunningServer server, string id, string json)
    {
        var (status, body, _) = await server.PostJsonAsync($$"""{"$token":"{{RunningServer.Token}}","$distinct_id":"{{id}}",{{json}}}""");
        Assert.True(status == 200 && body == "1", $"{status} {body}");
    }

    [Fact]
    public async Task AReceiverThatFailsAtFirstGetsEveryChangeInOrderSignedAfterRetries()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 3);
        await using var server = await RunningServer.StartAsync(Hook(receiver));

        for (var i = 0; i < 5; i++)
        {
            await PostAsync(server, $"u{i}", $$"""
                "$set":{"n":{{i}}}
                """);
        }

        await receiver.WaitUntilAsync(attempts => attempts.Count(a => a.Accepted) >= 5, "five deliveries");

        var attempts = receiver.Attempts;
        Assert.Equal(8, attempts.Count);
        Assert.All(attempts.Take(3), attempt => Assert.False(attempt.Accepted));

        // The failed attempts were the first change, retried; nothing later went ahead of it.
        Assert.All(attempts.Take(4), attempt => Assert.Equal("u0", (string)attempt.Json["$distinct_id"]!));
        var delivered = receiver.Accepted;
        Assert.Equal(["u0", "u1", "u2", "u3", "u4"], delivered.Select(a => (string)a.Json["$distinct_id"]!));
        Assert.Equal([0, 1, 2, 3, 4], delivered.Select(a => (int)a.Json["changed"]!["n"]!));
        Assert.All(delivered, a => Assert.Equal("test", (string)a.Json["project"]!));
        Assert.All(delivered, a => Assert.Equal((string)a.Json["cursor"]!, a.Delivery));
        Assert.All(attempts, a => Assert.True(WebhookReceiver.Verifies(a, Secret), "the signature verifies"));
        Assert.False(WebhookReceiver.Verifies(attempts[0] with { Body = attempts[0].Body.Replace("u0", "u9", StringComparison.Ordinal) }, Secret));

        // The metrics count each attempt by outcome, per webhook (named by its URL).
        var webhook = $"webhook=\"{receiver.Url}\"";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        PrometheusScrape scrape;
        while ((scrape = await PrometheusScrape.ReadAsync(server)).Sum("openengage_webhook_deliveries_total", webhook, "outcome=\"delivered\"") < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, scrape.Text);
            await Task.Delay(50);
        }

        Assert.Equal(5, scrape.Sum("openengage_webhook_deliveries_total", webhook, "outcome=\"delivered\""));
        Assert.Equal(3, scrape.Sum("openengage_webhook_deliveries_total", webhook, "outcome=\"failed\""));
    }

    [Theory]
    [InlineData("Webhooks:0:Secret=", "Webhooks:0:Secret is required")]
    [InlineData("Webhooks:0:Project=nope", "Webhooks:0:Project must be the id or name of a configured project")]
    [InlineData("Webhooks:0:Where=properties[\"a\"] = 1", "Webhooks:0:Where does not parse")]
    [InlineData("Webhooks:0:Url=ftp://example.test/", "Webhooks:0:Url must be an absolute http or https URL")]
    public async Task AWebhookThatCannotWorkStopsTheStart(string setting, string message)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(Hook(receiver, setting)));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhereAndPropertiesChooseWhichChangesAreDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await RunningServer.StartAsync(Hook(receiver,
            "Webhooks:0:Where=properties[\"plan\"] == \"pro\"",
            "Webhooks:0:Properties:0=plan"));

        await PostAsync(server, "free-user", "\"$set\":{\"plan\":\"free\"}");
        await PostAsync(server, "pro-user", "\"$set\":{\"plan\":\"pro\"}");
        await PostAsync(server, "pro-user", "\"$set\":{\"visits\":3}");
        await PostAsync(server, "last", "\"$set\":{\"plan\":\"pro\"}");

        await receiver.WaitUntilAsync(attempts => attempts.Any(a => (string)a.Json["$distinct_id"]! == "last"), "the last change");

        Assert.Equal(["pro-user", "last"], receiver.Accepted.Select(a => (string)a.Json["$distinct_id"]!));
    }

    [Fact]
    public async Task AfterARestartDeliveryResumesWithoutLosingOrReorderingAChange()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Hook(receiver);
        var dataDirectory = Directory.CreateTempSubdirectory("openengage-webhook-").FullName;
        try
        {
            await RestartAsync(receiver, settings, dataDirectory);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task RestartAsync(WebhookReceiver receiver, string[] settings, string dataDirectory)
    {
        var server = await RunningServer.StartAsync(withProjects: true, dataDirectory, settings);
        await PostAsync(server, "a", "\"$set\":{\"n\":1}");
        await PostAsync(server, "b", "\"$set\":{\"n\":2}");
        await receiver.WaitUntilAsync(attempts => attempts.Count(a => a.Accepted) >= 2, "two deliveries");

        // While the server is down and the receiver too, changes wait in the change log.
        receiver.Down = true;
        await PostAsync(server, "c", "\"$set\":{\"n\":3}");
        await server.DisposeAsync();

        await using var restarted = await RunningServer.StartAsync(withProjects: true, dataDirectory, settings);
        await PostAsync(restarted, "d", "\"$set\":{\"n\":4}");
        await receiver.WaitUntilAsync(attempts => attempts.Count(a => !a.Accepted) >= 2, "failed attempts while down");
        receiver.Down = false;
        await receiver.WaitUntilAsync(attempts => attempts.Any(a => a.Accepted && (string)a.Json["$distinct_id"]! == "d"), "the last change");

        // At least once, in order: a change acknowledged just before a stop may come again, with the same delivery id.
        var delivered = receiver.Accepted.Select(a => (a.Delivery, Id: (string)a.Json["$distinct_id"]!)).Distinct().ToList();
        Assert.Equal(["a", "b", "c", "d"], delivered.Select(d => d.Id));
    }
}
