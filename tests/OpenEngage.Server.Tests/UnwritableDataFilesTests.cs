using System.Text;
using OpenEngage.Storage.Sqlite;
using OpenEngage.Tests.Support;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Data files that become unwritable (<c>chattr +i</c>) while the server runs: writes fail with a
/// clear error, reads go on, the process survives (it used to die of SIGBUS on SQLite's
/// memory-mapped WAL index), and writes resume once the files are writable again. The server runs
/// as a child process, so a crash cannot take the test host with it.
/// </summary>
public sealed class UnwritableDataFilesTests
{
    private static StringContent Record(string id) => new(
        $$$"""[{"$token":"{{{ServerProcess.Token}}}","$distinct_id":"{{{id}}}","$set":{"v":1}}]""", Encoding.UTF8, "application/json");

    [ImmutableFilesFact]
    public async Task Writes_fail_clearly_and_reads_go_on_while_the_sqlite_files_are_immutable()
    {
        var directory = Directory.CreateTempSubdirectory("openengage-immutable-").FullName;
        var files = Array.Empty<string>();
        try
        {
            using var server = await ServerProcess.StartAsync(directory, "Storage:Provider=sqlite");
            using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
            using var reader = server.QueryClient();
            for (var i = 0; i < 3; i++)
            {
                using var stored = await http.PostAsync("/engage", Record($"before-{i}"));
                Assert.Equal("1", await stored.Content.ReadAsStringAsync());
            }

            files = Directory.GetFiles(directory, SqliteProfileStore.DatabaseFileName + "*");
            Assert.Contains(files, f => f.EndsWith("-shm", StringComparison.Ordinal));
            var (exitCode, error) = ImmutableFilesFactAttribute.Chattr(["+i", .. files]);
            Assert.True(exitCode == 0, error);

            for (var i = 0; i < 3; i++)
            {
                using var refused = await http.PostAsync("/engage", Record($"during-{i}"));
                Assert.Equal(500, (int)refused.StatusCode);
                Assert.Contains("could not be stored", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

                for (var j = 0; j < 3; j++)
                {
                    Assert.NotNull(await ServerProcess.ProfileAsync(reader, $"before-{j}"));
                }

                Assert.Null(await ServerProcess.ProfileAsync(reader, $"during-{i}"));
                Assert.Contains("\"total\":3", await reader.GetStringAsync("/api/query/engage"), StringComparison.Ordinal);
            }

            Assert.False(server.HasExited, server.Output);
            Assert.Contains("is not writable (Operation not permitted)", server.Output, StringComparison.Ordinal);

            (exitCode, error) = ImmutableFilesFactAttribute.Chattr(["-i", .. files]);
            Assert.True(exitCode == 0, error);
            using var resumed = await http.PostAsync("/engage", Record("after"));
            Assert.Equal("1", await resumed.Content.ReadAsStringAsync());
            Assert.NotNull(await ServerProcess.ProfileAsync(reader, "after"));
            Assert.False(server.HasExited, server.Output);
        }
        finally
        {
            if (files.Length > 0)
            {
                ImmutableFilesFactAttribute.Chattr(["-i", .. files]);
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
