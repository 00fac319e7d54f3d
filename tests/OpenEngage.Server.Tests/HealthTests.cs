using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server.Tests;

/// <summary><c>GET /healthz</c> and <c>GET /readyz</c>: JSON, no credentials, 503 when the store cannot take writes.</summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Healthz_and_readyz_answer_200_without_credentials()
    {
        await using var server = await RunningServer.StartAsync();

        var (status, body) = await GetAsync(server, "/healthz");
        Assert.Equal(200, status);
        Assert.Equal("alive", (string?)body["status"]);

        (status, body) = await GetAsync(server, "/readyz");
        Assert.Equal(200, status);
        Assert.Equal("ready", (string?)body["status"]);
        foreach (var check in new[] { "storage", "writer", "queue" })
        {
            Assert.True((bool)body["checks"]![check]!["ok"]!, body.ToJsonString());
        }
    }

    [Fact]
    public async Task Readyz_answers_503_while_the_writer_is_stalled_and_200_once_it_moves_again()
    {
        await using var server = await RunningServer.StartAsync("Health:WriterStallSeconds=0.5");
        Task<(int Status, string Body, HttpResponseMessage Response)> pending;
        await using (await WriteLock.TakeAsync(server))
        {
            // The writer blocks on the lock with this update.
            pending = server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"stalled","$set":{"plan":"pro"}}""");
            var (status, body) = await PollAsync(server, 503);
            Assert.Equal(503, status);
            Assert.Equal("not ready", (string?)body["status"]);
            Assert.False((bool)body["checks"]!["writer"]!["ok"]!, body.ToJsonString());
            Assert.False(pending.IsCompleted);
        }

        var (postStatus, postBody, _) = await pending;
        Assert.Equal((200, "1"), (postStatus, postBody));
        Assert.Equal("pro", (string?)(await server.ProfileAsync("stalled"))!["plan"]);
        Assert.Equal(200, (await PollAsync(server, 200)).Status);
    }

    [Fact]
    public async Task Readyz_answers_503_while_the_store_takes_no_writes_and_200_after()
    {
        await using var server = await RunningServer.StartAsync();
        Assert.Equal(200, (await GetAsync(server, "/readyz")).Status);
        await using (await Unwritable.MakeAsync(server))
        {
            var (status, body) = await PollAsync(server, 503);
            Assert.Equal(503, status);
            Assert.Equal("not ready", (string?)body["status"]);
            Assert.False((bool)body["checks"]!["storage"]!["ok"]!, body.ToJsonString());
        }

        Assert.Equal(200, (await PollAsync(server, 200)).Status);
    }

    private static async Task<(int Status, JsonNode Body)> GetAsync(RunningServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>Asks <c>/readyz</c> until it answers <paramref name="wanted"/>, for at most <see cref="Patience"/>; returns the last answer.</summary>
    private static async Task<(int Status, JsonNode Body)> PollAsync(RunningServer server, int wanted)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var answer = await GetAsync(server, "/readyz");
            if (answer.Status == wanted || watch.Elapsed > Patience)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    private static string ConnectionString(IReadOnlyList<string> settings) =>
        settings.Single(setting => setting.StartsWith("Storage:ConnectionString=", StringComparison.Ordinal))["Storage:ConnectionString=".Length..];

    private static string Terminate(string database) =>
        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()";

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Makes the server's storage refuse writes for real: on PostgreSQL the database turns read-only
    /// (as after a fail-over to a standby, the server's sessions are ended); on SQLite the data
    /// directory becomes immutable (<c>chattr +i</c>, which binds root too) or, where that is not
    /// permitted, read-only for its owner.
    /// </summary>
    private sealed class Unwritable(Func<Task> undo) : IAsyncDisposable
    {
        public static async Task<Unwritable> MakeAsync(RunningServer server)
        {
            if (TestStorage.IsPostgres)
            {
                var connectionString = ConnectionString(await TestStorage.SettingsAsync(server.DataDirectory));
                var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
                var admin = new NpgsqlConnection(connectionString);
                await admin.OpenAsync();
                await Execute(admin, $"ALTER DATABASE \"{database}\" SET default_transaction_read_only = on");
                await Execute(admin, Terminate(database));
                return new Unwritable(async () =>
                {
                    await Execute(admin, $"ALTER DATABASE \"{database}\" RESET default_transaction_read_only");
                    await Execute(admin, Terminate(database));
                    await admin.DisposeAsync();
                });
            }

            var directory = server.DataDirectory;
            if (await RunAsync("chattr", "+i", directory))
            {
                return Checked(directory, new Unwritable(async () => Assert.True(await RunAsync("chattr", "-i", directory))));
            }

            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("these tests run on Linux");
            }

            var mode = File.GetUnixFileMode(directory);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return Checked(directory, new Unwritable(() =>
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(directory, mode);
                }

                return Task.CompletedTask;
            }));
        }

        public ValueTask DisposeAsync() => new(undo());

        private static Unwritable Checked(string directory, Unwritable unwritable)
        {
            try
            {
                File.WriteAllText(Path.Combine(directory, "must-fail"), "");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return unwritable;
            }

            File.Delete(Path.Combine(directory, "must-fail"));
            unwritable.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new InvalidOperationException($"{directory} cannot be made unwritable here (neither chattr +i nor the owner's mode binds this user)");
        }

        private static async Task<bool> RunAsync(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                using var process = Process.Start(start)!;
                await process.WaitForExitAsync();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }

    /// <summary>A write lock on the server's store, held by another connection, as another process would.</summary>
    private sealed class WriteLock(IAsyncDisposable connection, Func<Task> release) : IAsyncDisposable
    {
        public static async Task<WriteLock> TakeAsync(RunningServer server)
        {
            if (TestStorage.IsPostgres)
            {
                var postgres = new NpgsqlConnection(ConnectionString(await TestStorage.SettingsAsync(server.DataDirectory)));
                await postgres.OpenAsync();
                var transaction = await postgres.BeginTransactionAsync();
                await Execute(postgres, "LOCK TABLE profiles IN ACCESS EXCLUSIVE MODE");
                return new WriteLock(postgres, () => transaction.RollbackAsync());
            }

            var sqlite = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, SqliteProfileStore.DatabaseFileName)};Pooling=False");
            await sqlite.OpenAsync();
            var immediate = sqlite.BeginTransaction(deferred: false);
            return new WriteLock(sqlite, () =>
            {
                immediate.Rollback();
                return Task.CompletedTask;
            });
        }

        public async ValueTask DisposeAsync()
        {
            await release();
            await connection.DisposeAsync();
        }
    }
}
