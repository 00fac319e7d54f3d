using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>
/// <c>backup</c> of a running server's embedded store and <c>restore</c> into a fresh data directory,
/// with the real executable (always on SQLite: PostgreSQL's backups are pg_dump's).
/// </summary>
public sealed class BackupTests : IDisposable
{
    private const string Token = "backup-token";
    private const string Secret = "backup-secret";
    private const int BatchSize = 20;

    private static readonly string[] Project = ["--Projects:0:Name=p", $"--Projects:0:Token={Token}", $"--Projects:0:ApiSecret={Secret}"];

    private readonly string _root = Directory.CreateTempSubdirectory("openengage-backup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_backup_taken_while_writes_go_on_restores_to_one_consistent_state()
    {
        var live = Path.Combine(_root, "live");
        var restored = Path.Combine(_root, "restored");
        var file = Path.Combine(_root, "openengage.backup");
        int ackedBefore, ackedAfter;
        using (var server = ServerExecutable.Start(_root, null, ["--urls=http://127.0.0.1:0", $"--Storage:Path={live}", .. Project]))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitForAddressAsync() };
            var acked = 0;
            using var stop = new CancellationTokenSource();
            var writes = Task.Run(async () =>
            {
                // Sequential batches, each acknowledged before the next is sent: any consistent copy
                // holds whole batches 0..k-1 and nothing else.
                for (var batch = 0; batch < 2000 && !stop.IsCancellationRequested; batch++)
                {
                    var records = string.Join(",", Enumerable.Range(0, BatchSize).Select(i => $$$"""{"$token":"{{{Token}}}","$distinct_id":"b{{{batch:D4}}}-{{{i:D2}}}","$set":{"batch":{{{batch}}}}}"""));
                    using var body = new StringContent($"[{records}]", Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync("/engage", body);
                    Assert.Equal("1", await response.Content.ReadAsStringAsync());
                    Volatile.Write(ref acked, batch + 1);
                }
            });

            while (Volatile.Read(ref acked) < 5)
            {
                Assert.False(writes.IsCompleted);
                await Task.Delay(20);
            }

            ackedBefore = Volatile.Read(ref acked);
            var (code, output, error) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, "backup", file, $"--Storage:Path={live}");
            Assert.True(code == 0, output + error);
            Assert.True(Volatile.Read(ref acked) > ackedBefore || writes.IsCompleted, "writes went on during the backup");

            var (refused, _, why) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, "restore", file, "--force", $"--Storage:Path={live}");
            Assert.Equal(1, refused);
            Assert.Contains("Stop the server", why, StringComparison.Ordinal);

            await stop.CancelAsync();
            await writes;
            ackedAfter = Volatile.Read(ref acked);
        }

        var (restoredCode, restoreOutput, restoreError) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, "restore", file, $"--Storage:Path={restored}");
        Assert.True(restoredCode == 0, restoreOutput + restoreError);

        using var again = ServerExecutable.Start(_root, null, ["--urls=http://127.0.0.1:0", $"--Storage:Path={restored}", .. Project]);
        using var reader = new HttpClient { BaseAddress = await again.WaitForAddressAsync() };
        reader.DefaultRequestHeaders.Authorization = RunningServer.Basic(Secret, "");
        var ids = await AllIdsAsync(reader);

        Assert.Equal(0, ids.Count % BatchSize);
        var batches = ids.Count / BatchSize;
        Assert.InRange(batches, ackedBefore, ackedAfter);
        var expected = Enumerable.Range(0, batches).SelectMany(b => Enumerable.Range(0, BatchSize).Select(i => $"b{b:D4}-{i:D2}")).ToList();
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task On_PostgreSQL_backup_and_restore_point_to_pg_dump_and_pg_restore()
    {
        string[] postgres = ["--Storage:Provider=postgres", "--Storage:ConnectionString=Host=127.0.0.1;Port=1;Database=x;Username=u"];
        var (code, _, error) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, ["backup", Path.Combine(_root, "b"), .. postgres]);
        Assert.Equal(1, code);
        Assert.Contains("pg_dump", error, StringComparison.Ordinal);
        (code, _, error) = await ServerExecutable.RunAsync(_root, TimeSpan.FromSeconds(60), null, ["restore", Path.Combine(_root, "b"), .. postgres]);
        Assert.Equal(1, code);
        Assert.Contains("pg_restore", error, StringComparison.Ordinal);
    }

    private static async Task<List<string>> AllIdsAsync(HttpClient client)
    {
        var ids = new List<string>();
        string? session = null;
        for (var page = 0; ; page++)
        {
            var query = $"/api/query/engage?page_size=1000&page={page}&sort_key={Uri.EscapeDataString("properties[\"batch\"]")}&sort_order=ascending" + (session is null ? "" : $"&session_id={session}");
            var body = JsonNode.Parse(await client.GetStringAsync(query))!;
            session = (string?)body["session_id"];
            var results = body["results"]!.AsArray();
            if (results.Count == 0)
            {
                break;
            }

            ids.AddRange(results.Select(result => (string)result!["$distinct_id"]!));
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}
