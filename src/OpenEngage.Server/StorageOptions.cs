namespace OpenEngage.Server;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the embedded default).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The data directory of the embedded store (and of the generated default project).</summary>
    public string Path { get; set; } = "./data";
}
