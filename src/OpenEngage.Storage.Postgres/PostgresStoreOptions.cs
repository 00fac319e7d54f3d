namespace OpenEngage.Storage.Postgres;

/// <summary>Settings of <see cref="PostgresProfileStore"/>.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=openengage;Username=openengage;Password=…</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How many queued updates one group commit takes at most. A single
    /// <see cref="IProfileStore.ApplyAsync"/> batch is never split across commits.
    /// </summary>
    public int MaxUpdatesPerCommit { get; set; } = 20_000;

    /// <summary>How many times a transaction is retried after a serialization failure or a deadlock.</summary>
    public int MaxRetries { get; set; } = 10;
}
