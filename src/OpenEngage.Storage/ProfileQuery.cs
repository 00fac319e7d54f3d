using OpenEngage.Query;

namespace OpenEngage.Storage;

/// <summary>
/// A query over one project's profiles of one kind (<see cref="GroupKey"/> is empty for user
/// profiles): an optional <c>where</c> filter and list of distinct ids, an order and a window.
/// </summary>
/// <remarks>
/// The order is by the property <see cref="SortKey"/> (see <see cref="OpenEngage.Query.SortOrder"/>), ties and
/// the default by distinct id ascending (ordinal, by UTF-8 bytes).
/// </remarks>
public sealed record ProfileQuery(string Project, string GroupKey)
{
    /// <summary>The filter; null keeps every profile.</summary>
    public WhereExpression? Where { get; init; }

    /// <summary>Only these distinct ids (duplicates ignored); null for no restriction.</summary>
    public IReadOnlyList<string>? DistinctIds { get; init; }

    /// <summary>The property to order by; null orders by distinct id.</summary>
    public string? SortKey { get; init; }

    /// <summary>Descending order of <see cref="SortKey"/> (ties stay by id ascending).</summary>
    public bool Descending { get; init; }

    public int Offset { get; init; }

    /// <summary>The largest number of profiles to return; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>The time <c>NOW</c> stands for in <see cref="Where"/>.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Throws when a backend cannot run the query: no project or group key, or a negative window.</summary>
    public void ThrowIfInvalid()
    {
        ArgumentNullException.ThrowIfNull(Project, "query.Project");
        ArgumentNullException.ThrowIfNull(GroupKey, "query.GroupKey");
        ArgumentOutOfRangeException.ThrowIfNegative(Offset, "query.Offset");
        if (Limit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limit, "query.Limit");
        }
    }
}
