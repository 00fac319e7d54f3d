using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Ingestion.Identity;

/// <summary>The identity resolution cache (configuration section <c>Identity</c>).</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>
    /// How long a node trusts what it read from the identity map before reading it again. Links made
    /// on this node are seen at once; a link made on another node (PostgreSQL) is seen here at the
    /// latest after this long.
    /// </summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 5;

    /// <summary>How many ids the cache holds before it starts over.</summary>
    [Range(0, 10_000_000)]
    public int CacheSize { get; set; } = 100_000;
}
