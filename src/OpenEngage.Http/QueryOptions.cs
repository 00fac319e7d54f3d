using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http;

/// <summary>Limits of the query API, configuration section <c>Query</c>.</summary>
public sealed class QueryOptions
{
    public const string Section = "Query";

    /// <summary>
    /// The most bytes all paging sessions may hold together (their query and their ordered ids);
    /// the least recently used sessions are dropped first.
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "{0} must be at least 1")]
    public long MaxSessionBytes { get; set; } = 128L * 1024 * 1024;
}
