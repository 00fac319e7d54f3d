using System.Collections.Concurrent;
using System.Text;
using OpenEngage.Storage.Tests;
using OpenEngage.Tests.Support;

namespace OpenEngage.Postgres.Tests;

/// <summary>
/// No lost updates across nodes: two server processes over one database, driven concurrently with
/// $add, $union, $append and $set on overlapping profiles, end in the state a serial run gives.
/// </summary>
public sealed class TwoNodeTests
{
    private const int ClientsPerNode = 4;
    private const int RequestsPerClient = 60;
    private const int Profiles = 5;
    private const int ProfilesPerRequest = 3;

    [Fact]
    public async Task Two_nodes_on_one_database_lose_no_update()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync("two_nodes");
        var directory = Directory.CreateTempSubdirectory("openengage-two-nodes-").FullName;
        try
        {
            // Both start at once: the schema migration runs once, under its lock.
            var starting = new[] { ServerProcess.StartAsync(directory, Postgres.Settings(connectionString)), ServerProcess.StartAsync(directory, Postgres.Settings(connectionString)) };
            await Task.WhenAll(starting.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
            using var first = await starting[0];
            using var second = await starting[1];
            ServerProcess[] nodes = [first, second];

            var adds = new ConcurrentDictionary<string, int>();
            var appended = new ConcurrentDictionary<string, ConcurrentBag<string>>();
            var unionMembers = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>();
            var setValues = new ConcurrentDictionary<string, ConcurrentBag<string>>();

            var clients = Enumerable.Range(0, ClientsPerNode * nodes.Length).Select(client => Task.Run(async () =>
            {
                var node = nodes[client % nodes.Length];
                using var http = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(60) };
                var random = new Random(client);
                for (var sequence = 0; sequence < RequestsPerClient; sequence++)
                {
                    // Overlapping profiles in a random order per request.
                    var ids = Enumerable.Range(0, Profiles).OrderBy(_ => random.Next()).Take(ProfilesPerRequest).Select(p => $"shared-{p}").ToArray();
                    var records = new List<string>();
                    foreach (var id in ids)
                    {
                        var item = $"c{client}-s{sequence}";
                        records.Add($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$add":{"n":1}}""");
                        records.Add($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$union":{"tags":["shared","c{{{client}}}"]}}""");
                        records.Add($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$append":{"log":"{{{item}}}"}}""");
                        records.Add($$$"""{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$set":{"last":"{{{item}}}"}}""");
                    }

                    using var content = new StringContent("[" + string.Join(",", records) + "]", Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync("/engage", content);
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(body == "1", $"node {node.Address} answered {(int)response.StatusCode} {body}\n{node.Output}");

                    foreach (var id in ids)
                    {
                        var item = $"c{client}-s{sequence}";
                        adds.AddOrUpdate(id, 1, (_, n) => n + 1);
                        appended.GetOrAdd(id, _ => []).Add(item);
                        unionMembers.GetOrAdd(id, _ => new() { ["shared"] = 0 })[$"c{client}"] = 0;
                        setValues.GetOrAdd(id, _ => []).Add(item);
                    }
                }
            })).ToArray();
            await Task.WhenAll(clients);

            foreach (var node in nodes)
            {
                using var reader = node.QueryClient();
                foreach (var (id, count) in adds)
                {
                    var profile = await ServerProcess.ProfileAsync(reader, id);
                    Assert.NotNull(profile);
                    Assert.Equal(count, (long)profile["n"]!);

                    var log = profile["log"]!.AsArray().Select(v => (string)v!).ToList();
                    Assert.Equal(appended[id].Order(StringComparer.Ordinal), log.Order(StringComparer.Ordinal));

                    var tags = profile["tags"]!.AsArray().Select(v => (string)v!).ToList();
                    Assert.Equal(tags.Count, tags.Distinct().Count());
                    Assert.Equal(unionMembers[id].Keys.Order(StringComparer.Ordinal), tags.Order(StringComparer.Ordinal));

                    Assert.Contains((string)profile["last"]!, setValues[id]);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
