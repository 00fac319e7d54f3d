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
}
