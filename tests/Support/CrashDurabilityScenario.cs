using System.Collections.Concurrent;
using System.Text;
using Xunit;

namespace OpenEngage.Tests.Support;

/// <summary>
/// Contract §6: an answer of 1 means the update survives a crash. Several clients write, the
/// server process is killed with SIGKILL mid-stream, a new one starts on the same data, and every
/// acknowledged update must be there, every counter counting each acknowledged $add exactly once
/// (between the acknowledged and the sent count: an unacknowledged add may or may not have landed).
/// Each storage backend runs this scenario with its own settings.
/// </summary>
public static class CrashDurabilityScenario
{
    private const int Clients = 8;
    private const int Counters = 16;
    private const int RecordsPerRequest = 5;
    private const int AcknowledgedBeforeKill = 400;

    /// <param name="start">Starts a server process over the backend's data; called twice, before and after the kill.</param>
    public static async Task RunAsync(Func<Task<ServerProcess>> start)
    {
        var acknowledgedAdds = new ConcurrentDictionary<string, int>();
        var sentAdds = new ConcurrentDictionary<string, int>();
        var acknowledgedSets = new ConcurrentBag<(string Id, int Value)>();
        var acknowledgedRequests = 0;

        using (var server = await start())
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var writers = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
                var random = new Random(client);
                for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
                {
                    var counterIds = Enumerable.Range(0, RecordsPerRequest).Select(_ => $"counter-{random.Next(Counters)}").ToArray();
                    var setId = $"client-{client}-{sequence}";
                    var records = counterIds.Select(id => $$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$add":{"n":1}}""")
                        .Append($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{setId}}}","$set":{"v":{{{sequence}}}}}""");
                    foreach (var id in counterIds)
                    {
                        sentAdds.AddOrUpdate(id, 1, (_, n) => n + 1);
                    }

                    try
                    {
                        using var content = new StringContent("[" + string.Join(",", records) + "]", Encoding.UTF8, "application/json");
                        using var response = await http.PostAsync("/engage", content, stop.Token);
                        if (await response.Content.ReadAsStringAsync(stop.Token) != "1")
                        {
                            continue;
                        }
                    }
                    catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
                    {
                        return; // The server is gone: this request was never acknowledged.
                    }

                    foreach (var id in counterIds)
                    {
                        acknowledgedAdds.AddOrUpdate(id, 1, (_, n) => n + 1);
                    }

                    acknowledgedSets.Add((setId, sequence));
                    Interlocked.Increment(ref acknowledgedRequests);
                }
            })).ToArray();

            // Kill once traffic is flowing, while requests are in flight.
            while (Volatile.Read(ref acknowledgedRequests) < AcknowledgedBeforeKill && !stop.IsCancellationRequested)
            {
                await Task.Delay(5);
            }

            server.Kill();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledgedRequests >= AcknowledgedBeforeKill, $"only {acknowledgedRequests} requests were acknowledged before the kill");

        using var restarted = await start();
        using var reader = restarted.QueryClient();
        foreach (var (id, acknowledged) in acknowledgedAdds)
        {
            var counted = (long)(await ServerProcess.ProfileAsync(reader, id))!["n"]!;
            Assert.InRange(counted, acknowledged, sentAdds[id]);
        }

        foreach (var (id, value) in acknowledgedSets)
        {
            var profile = await ServerProcess.ProfileAsync(reader, id);
            Assert.True(profile is not null, $"acknowledged profile {id} was lost");
            Assert.Equal(value, (int)profile["v"]!);
        }
    }
}
