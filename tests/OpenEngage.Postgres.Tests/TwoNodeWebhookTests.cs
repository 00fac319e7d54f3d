using System.Text;
using OpenEngage.Server.Tests;
using OpenEngage.Storage.Tests;
using OpenEngage.Tests.Support;

namespace OpenEngage.Postgres.Tests;

/// <summary>
/// Two server processes on one database, both configured with the same webhook: one delivers
/// (each change reaches the receiver once, in order), and when it is killed the other takes over
/// from the recorded position.
/// </summary>
public sealed class TwoNodeWebhookTests
{
    private const string Secret = "hook-secret";

    [Fact]
    public async Task OneNodeDeliversAndTheOtherTakesOverWhenItDies()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync("two_node_hooks");
        var directory = Directory.CreateTempSubdirectory("openengage-two-node-hooks-").FullName;
        await using var receiver = await WebhookReceiver.StartAsync();
        string[] settings =
        [
            .. Postgres.Settings(connectionString),
            $"Webhooks:0:Url={receiver.Url}",
            $"Webhooks:0:Secret={Secret}",
            "Webhooks:0:Project=process",
            "Webhooks:0:StartFrom=Oldest",
            "WebhookDelivery:InitialBackoff=00:00:00.010",
            "WebhookDelivery:MaxBackoff=00:00:00.050",
            "WebhookDelivery:LeaseRetryInterval=00:00:00.200",
        ];
        try
        {
            using var first = await ServerProcess.StartAsync(directory, settings);
            using var second = await ServerProcess.StartAsync(directory, settings);

            for (var i = 0; i < 10; i++)
            {
                await PostAsync(i % 2 == 0 ? first : second, $"u{i}");
            }

            await receiver.WaitUntilAsync(attempts => Distinct(attempts).Count >= 10, "ten deliveries");
            await PostAsync(first, "sentinel");
            await receiver.WaitUntilAsync(attempts => Distinct(attempts).Contains("sentinel"), "the sentinel");

            // Had both nodes delivered, every change would have come twice.
            Assert.Equal(11, receiver.Accepted.Count);
            Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"u{i}"), "sentinel"], Distinct(receiver.Attempts));

            // Whichever node delivered, with the first gone the second delivers what follows.
            first.Kill();
            for (var i = 10; i < 15; i++)
            {
                await PostAsync(second, $"u{i}");
            }

            await receiver.WaitUntilAsync(attempts => Distinct(attempts).Contains("u14"), "the changes after the takeover");
            Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"u{i}"), "sentinel", .. Enumerable.Range(10, 5).Select(i => $"u{i}")], Distinct(receiver.Attempts));
            Assert.All(receiver.Attempts, attempt => Assert.True(WebhookReceiver.Verifies(attempt, Secret)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The distinct ids delivered, in the order first delivered (at least once: a repeat keeps its delivery id).</summary>
    private static List<string> Distinct(IReadOnlyList<WebhookReceiver.Attempt> attempts) =>
        [.. attempts.Where(a => a.Accepted).Select(a => (a.Delivery, Id: (string)a.Json["$distinct_id"]!)).Distinct().Select(d => d.Id)];

    private static async Task PostAsync(ServerProcess node, string id)
    {
        using var http = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(60) };
        using var content = new StringContent($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$set":{"n":1}}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/engage", content);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
    }
}
