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

    /// <summary>The default of <see cref="ProfileCacheSize"/>.</summary>
    public const int DefaultProfileCacheSize = 100_000;

    /// <summary>
    /// How many recently written profiles the writer keeps parsed in memory, so updates to them
    /// skip reading the database; 0 turns the cache off. Memory grows with this count times the
    /// size of a profile.
    /// </summary>
    public int ProfileCacheSize { get; set; } = DefaultProfileCacheSize;

    /// <summary>
    /// Into how many parts a query's scan of a large project is split, each part read on its own
    /// connection and thread from one snapshot; 1 turns the split off. Defaults to the number of
    /// processors.
    /// </summary>
    public int QueryParallelism { get; set; } = DefaultQueryParallelism;

    /// <summary>The default of <see cref="QueryParallelism"/>: the number of processors.</summary>
    public static int DefaultQueryParallelism => Environment.ProcessorCount;

    /// <summary>The fewest profiles per part of a split scan: smaller projects are scanned in fewer parts.</summary>
    internal int MinProfilesPerScanPart { get; set; } = 50_000;
}
