namespace OpenEngage.Storage.Sqlite;

/// <summary>Settings of <see cref="SqliteProfileStore"/>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// The data directory. It is created when missing; the database is the file
    /// <see cref="SqliteProfileStore.DatabaseFileName"/> inside it.
    /// </summary>
    public string Path { get; set; } = "./data";

    /// <summary>
    /// How many queued updates one group commit takes at most. A single
    /// <see cref="IProfileStore.ApplyAsync"/> batch is never split across commits, so a larger
    /// batch is committed on its own.
    /// </summary>
    public int MaxUpdatesPerCommit { get; set; } = 20_000;
}
