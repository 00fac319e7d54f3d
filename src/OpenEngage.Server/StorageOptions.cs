using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Server;

/// <summary>
/// What the server itself reads of the configuration section <c>Storage</c>: which store to use and
/// the data directory (of the embedded store, the generated project and the directory lock). Each
/// store binds its own settings from the same section (<c>SqliteStoreRegistration</c>,
/// <c>PostgresStoreRegistration</c>).
/// </summary>
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

    public bool IsSqlite => IsSqliteProvider(Provider);

    public bool IsPostgres => IsPostgresProvider(Provider);

    public static bool IsSqliteProvider(string? provider) => string.Equals(provider, "sqlite", StringComparison.OrdinalIgnoreCase);

    public static bool IsPostgresProvider(string? provider) => string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The absolute data directory for a configured <see cref="Path"/>: the per-user default when empty.</summary>
    public static string ResolvePath(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? DefaultDataDirectory.Resolve() ?? "" : System.IO.Path.GetFullPath(configured);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsSqlite && !IsPostgres)
        {
            yield return new ValidationResult($"Storage:Provider '{Provider}' is unknown; use 'sqlite' or 'postgres'.", [nameof(Provider)]);
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult("Storage:Path is not set and this user has no home directory for the default data directory; set Storage:Path.", [nameof(Path)]);
        }
    }
}
