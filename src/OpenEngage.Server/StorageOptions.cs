using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Server;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// The data directory of the embedded store (and of the generated default project). Empty: the
    /// per-user data directory (<see cref="DefaultDataDirectory"/>). Made absolute at start-up.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>The Npgsql connection string of the <c>postgres</c> provider.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How many recently written profiles the embedded store keeps parsed in memory (0: none).</summary>
    [Range(0, 100_000_000, ErrorMessage = "Storage:ProfileCacheSize must be between {1} and {2}.")]
    public int ProfileCacheSize { get; set; } = Storage.Sqlite.SqliteStoreOptions.DefaultProfileCacheSize;

    /// <summary>Into how many parts the embedded store splits a query's scan of a large project (1: no split).</summary>
    [Range(1, 1024, ErrorMessage = "Storage:QueryParallelism must be between {1} and {2}.")]
    public int QueryParallelism { get; set; } = Storage.Sqlite.SqliteStoreOptions.DefaultQueryParallelism;

    public bool IsSqlite => string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase);

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The absolute data directory for a configured <see cref="Path"/>: the per-user default when empty.</summary>
    public static string ResolvePath(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? DefaultDataDirectory.Resolve() ?? "" : System.IO.Path.GetFullPath(configured);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsSqlite && !IsPostgres)
        {
            yield return new ValidationResult($"Storage:Provider '{Provider}' is unknown; use 'sqlite' or 'postgres'.", [nameof(Provider)]);
        }

        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Storage:ConnectionString is required for the postgres provider (e.g. Host=db;Database=openengage;Username=…;Password=…).", [nameof(ConnectionString)]);
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult("Storage:Path is not set and this user has no home directory for the default data directory; set Storage:Path.", [nameof(Path)]);
        }
    }
}
