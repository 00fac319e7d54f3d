using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Contract §6: an answer of 1 means the update survives a crash. Several clients write, the
/// server process is killed with SIGKILL mid-stream, restarted on the same data, and every
/// acknowledged update must be there, every counter counting each acknowledged $add exactly once.
/// </summary>
public sealed class CrashDurabilityTests
{
    private const int Clients = 8;
    private const int Counters = 16;
    private const int RecordsPerRequest = 5;
    private static readonly string[] Projects =
        ["Projects:0:Name=crash", $"Projects:0:Token={RunningServer.Token}", $"Projects:0:ApiSecret={RunningServer.Secret}"];

    [Fact]
    public async Task Every_acknowledged_update_survives_sigkill()
    {
        var directory = Directory.CreateTempSubdirectory("openengage-crash-").FullName;
        try
        {
            var acknowledgedAdds = new ConcurrentDictionary<string, int>();
            var sentAdds = new ConcurrentDictionary<string, int>();
            var acknowledgedSets = new ConcurrentBag<(string Id, int Value)>();
            var acknowledgedRequests = 0;

            using (var server = await ServerProcess.StartAsync(directory, Projects))
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
                        var records = counterIds.Select(id => $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}","$add":{"n":1}}""")
                            .Append($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{setId}}}","$set":{"v":{{{sequence}}}}}""");
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
                while (Volatile.Read(ref acknowledgedRequests) < 400 && !stop.IsCancellationRequested)
                {
                    await Task.Delay(5);
                }

                server.Kill();
                await Task.WhenAll(writers);
            }

            Assert.True(acknowledgedRequests >= 400, $"only {acknowledgedRequests} requests were acknowledged before the kill");

            using var restarted = await ServerProcess.StartAsync(directory, Projects);
            using var reader = new HttpClient { BaseAddress = restarted.Address };
            reader.DefaultRequestHeaders.Authorization = RunningServer.Basic(RunningServer.Secret, "");

            foreach (var (id, acknowledged) in acknowledgedAdds)
            {
                var counted = (long)(await ProfileAsync(reader, id))!["n"]!;
                Assert.InRange(counted, acknowledged, sentAdds[id]);
            }

            foreach (var (id, value) in acknowledgedSets)
            {
                var profile = await ProfileAsync(reader, id);
                Assert.True(profile is not null, $"acknowledged profile {id} was lost");
                Assert.Equal(value, (int)profile["v"]!);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonObject?> ProfileAsync(HttpClient client, string id)
    {
        var body = JsonNode.Parse(await client.GetStringAsync($"/api/query/engage?distinct_id={id}"))!;
        var results = body["results"]!.AsArray();
        return results.Count == 0 ? null : results[0]!["$properties"]!.AsObject();
    }
}
