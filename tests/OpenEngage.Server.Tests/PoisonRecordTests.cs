using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server.Tests;

/// <summary>
/// One client's poisonous record never fails another client's write: numbers no store can keep
/// are invalid records, and a record the database itself refuses is rejected alone while the
/// records of every other request (of the same group commit) are applied and acknowledged.
/// </summary>
public sealed class PoisonRecordTests : IAsyncLifetime
{
    private const int GoodClients = 16;
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Record(string id, string operations) =>
        $$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}",{{{operations}}}}""";

    /// <summary>Sends the poison and <see cref="GoodClients"/> good requests at once; returns the poison's answer after checking every good one.</summary>
    private async Task<JsonNode> SendAlongsideGoodClientsAsync(string poisonBody, string tag)
    {
        var poison = _server.PostJsonAsync(poisonBody, "/engage?strict=1");
        var good = Enumerable.Range(0, GoodClients)
            .Select(i => _server.PostJsonAsync("[" + Record($"{tag}-good-{i}", $$""" "$set":{"v":{{i}}},"$add":{"n":1} """) + "]"))
            .ToArray();
        await Task.WhenAll(good.Append(poison));

        for (var i = 0; i < GoodClients; i++)
        {
            var (status, body, response) = good[i].Result;
            response.Dispose();
            Assert.Equal((200, "1"), (status, body));
            var profile = (await _server.ProfileAsync($"{tag}-good-{i}"))!;
            Assert.Equal(i, (int)profile["v"]!);
            Assert.Equal(1, (int)profile["n"]!);
        }

        var (poisonStatus, poisonBodyText, poisonResponse) = poison.Result;
        poisonResponse.Dispose();
        Assert.Equal(400, poisonStatus);
        return JsonNode.Parse(poisonBodyText)!;
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("1e9999999999")]
    [InlineData("1e200000")]
    [InlineData("1e-20000")]
    public async Task A_number_no_store_can_keep_is_a_clear_record_error_and_other_clients_are_applied(string number)
    {
        var tag = "n" + number.Length;
        var answer = await SendAlongsideGoodClientsAsync(
            "[" + Record($"{tag}-poison", $$""" "$set":{"x":{{number}}} """) + "," + Record($"{tag}-fine", """ "$set":{"x":1} """) + "]", tag);

        Assert.Equal(1, (int)answer["num_records_imported"]!);
        var failed = Assert.Single(answer["failed_records"]!.AsArray())!;
        Assert.Equal(0, (int)failed["index"]!);
        Assert.Equal("$set.x", (string?)failed["field"]);
        Assert.Contains("number", (string?)failed["message"], StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync($"{tag}-poison"));
        Assert.NotNull(await _server.ProfileAsync($"{tag}-fine"));
    }

    [Fact]
    public async Task Setting_a_huge_number_then_adding_to_it_is_refused_at_the_first_record()
    {
        var answer = await SendAlongsideGoodClientsAsync(
            "[" + Record("sum", """ "$set":{"x":1e400} """) + "," + Record("sum", """ "$add":{"x":1} """) + "]", "sum");

        Assert.Equal(1, (int)answer["num_records_imported"]!);
        var failed = Assert.Single(answer["failed_records"]!.AsArray())!;
        Assert.Equal(0, (int)failed["index"]!);
        Assert.Equal("$set.x", (string?)failed["field"]);
        Assert.Equal(1, (int)(await _server.ProfileAsync("sum"))!["x"]!);
    }

    [Fact]
    public async Task A_record_the_database_refuses_is_rejected_alone_and_every_other_request_is_acknowledged()
    {
        await RefuseInDatabaseAsync("refused");

        var answer = await SendAlongsideGoodClientsAsync(
            "[" + Record("db-before", """ "$set":{"v":1} """) + "," + Record("refused", """ "$set":{"v":1} """) + "," + Record("db-after", """ "$set":{"v":1} """) + "]", "db");

        Assert.Equal(2, (int)answer["num_records_imported"]!);
        var failed = Assert.Single(answer["failed_records"]!.AsArray())!;
        Assert.Equal(1, (int)failed["index"]!);
        Assert.Equal("refused", (string?)failed["$distinct_id"]);
        Assert.Contains("store refused this record", (string?)failed["message"], StringComparison.Ordinal);
        Assert.Null(await _server.ProfileAsync("refused"));
        Assert.NotNull(await _server.ProfileAsync("db-before"));
        Assert.NotNull(await _server.ProfileAsync("db-after"));
    }

    /// <summary>A real refusal by the server's database: a trigger (SQLite) or CHECK constraint (PostgreSQL) on one id.</summary>
    private async Task RefuseInDatabaseAsync(string id)
    {
        if (TestStorage.IsPostgres)
        {
            var setting = (await TestStorage.SettingsAsync(_server.DataDirectory)).Single(s => s.StartsWith("Storage:ConnectionString=", StringComparison.Ordinal));
            await using var connection = new NpgsqlConnection(setting["Storage:ConnectionString=".Length..] + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"ALTER TABLE profiles ADD CONSTRAINT refuse_one CHECK (id <> '{id}');", connection);
            await command.ExecuteNonQueryAsync();
            return;
        }

        using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_server.DataDirectory, SqliteProfileStore.DatabaseFileName),
            Pooling = false,
        }.ToString());
        sqlite.Open();
        using var trigger = sqlite.CreateCommand();
        trigger.CommandText = $"CREATE TRIGGER refuse_one BEFORE INSERT ON profiles WHEN NEW.id = '{id}' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;";
        trigger.ExecuteNonQuery();
    }
}
