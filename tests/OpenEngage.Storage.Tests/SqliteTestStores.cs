using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>The embedded stores of one test class: each in its own folder below a temporary root that <see cref="Delete"/> removes.</summary>
public sealed class SqliteTestStores(string name)
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"openengage-{name}-tests", Guid.NewGuid().ToString("N"));
    private int _created;
    private string? _current;

    /// <summary>A fresh store in a new folder.</summary>
    public Task<IProfileStore> CreateAsync(ProfileEngine engine)
    {
        _current = Path.Combine(_root, $"store-{_created++}");
        return OpenAsync(_current, engine);
    }

    /// <summary>The folder of the last store created, opened again.</summary>
    public Task<IProfileStore> ReopenAsync(ProfileEngine engine) =>
        OpenAsync(_current ?? throw new InvalidOperationException("No store was created yet."), engine);

    public void Delete()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Runs one statement directly on the database file of the store in <paramref name="storeDirectory"/>, beside the store's own connections.</summary>
    public static void ExecuteInDatabase(string storeDirectory, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(storeDirectory, SqliteProfileStore.DatabaseFileName),
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<IProfileStore> OpenAsync(string path, ProfileEngine engine)
    {
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = path }, engine, NullLogger<SqliteProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }
}
