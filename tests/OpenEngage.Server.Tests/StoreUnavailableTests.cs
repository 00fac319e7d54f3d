using System.Text.Json.Nodes;
using Npgsql;
using OpenEngage.Storage.Tests;

namespace OpenEngage.Server.Tests;

/// <summary>
/// Issue 12, item 8: a read while PostgreSQL refuses the server's connections is a 503 JSON
/// error, and reads work again once it is back. Runs on a PostgreSQL database of its own whatever
/// storage the other tests use.
/// </summary>
public sealed class StoreUnavailableTests
{
    [Fact]
    public async Task A_read_while_postgres_is_unreachable_is_503_json()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync("down");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var server = await RunningServer.StartAsync(withProjects: true, dataDirectory: null, "Storage:Provider=postgres", $"Storage:ConnectionString={connectionString}");
        Assert.Equal(200, (await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"d1","$set":{"a":1}}""")).Status);
        Assert.NotNull(await server.ProfileAsync("d1"));

        await AdminAsync(cluster, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?where=" + Uri.EscapeDataString("properties[\"a\"] == 1"));
            request.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("error", (string)json["status"]!);
        }
        finally
        {
            await AdminAsync(cluster, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        }

        Assert.NotNull(await server.ProfileAsync("d1"));
    }

    private static async Task AdminAsync(PostgresCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
