using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// A test class's temporary SQLite stores: each under one root directory of the class, all
/// disposed and the directory deleted when the class's tests are done.
/// </summary>
public abstract class SqliteStoreTestBase : IAsyncLifetime
{
    protected const string Project = "project-1";
    protected static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The directory under which the stores of this class live.</summary>
    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "openengage-storage-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The stores to dispose after the tests.</summary>
    protected List<SqliteProfileStore> Stores { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in Stores)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A second connection to a store's database, as another process would open it.</summary>
    protected static SqliteConnection OpenSide(SqliteProfileStore store)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    protected static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    protected static decimal N(JsonNode node) => decimal.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    protected static ProfileKey User(string id) => ProfileKey.User(Project, id);

    protected static ProfileUpdate Update(string id) => new()
    {
        Key = new ProfileKey(Project, "", id),
        Time = T0,
        Operations = new(),
    };

    protected static ProfileUpdate AddTo(string id, decimal delta) =>
        Update(id) with { Operations = new() { Add = [new("n", delta)] } };
}
