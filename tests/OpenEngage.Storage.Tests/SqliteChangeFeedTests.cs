using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

public sealed class SqliteChangeFeedTests : ChangeFeedContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-change-feed-tests", Guid.NewGuid().ToString("N"));
    private int _created;
    private string? _current;

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine)
    {
        _current = Path.Combine(_root, $"store-{_created++}");
        return OpenAsync(_current, engine);
    }

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) =>
        OpenAsync(_current ?? throw new InvalidOperationException("No store was created yet."), engine);

    private static async Task<IProfileStore> OpenAsync(string path, ProfileEngine engine)
    {
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = path }, engine, NullLogger<SqliteProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
