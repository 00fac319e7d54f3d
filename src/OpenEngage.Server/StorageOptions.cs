namespace OpenEngage.Server;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The data directory of the embedded store (and of the generated default project).</summary>
    public string Path { get; set; } = "./data";

    /// <summary>The Npgsql connection string of the <c>postgres</c> provider.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How many recently written profiles the embedded store keeps parsed in memory (0: none).</summary>
    public int ProfileCacheSize { get; set; } = Storage.Sqlite.SqliteStoreOptions.DefaultProfileCacheSize;

    /// <summary>Into how many parts the embedded store splits a query's scan of a large project (1: no split).</summary>
    public int QueryParallelism { get; set; } = Storage.Sqlite.SqliteStoreOptions.DefaultQueryParallelism;
}
