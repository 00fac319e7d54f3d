namespace OpenEngage.Storage.Identity;

/// <summary>One id of a cluster and how it got there.</summary>
/// <param name="Id">The distinct id.</param>
/// <param name="Canonical">The canonical id of its cluster (itself for the canonical id).</param>
/// <param name="How">What linked it: <c>canonical</c>, <c>unmerged</c>, or the event (<c>$identify</c>, <c>$create_alias</c>, <c>$merge</c>, <c>$device_id</c>).</param>
/// <param name="Via">The other id of the event that linked it; null for the canonical id.</param>
/// <param name="LinkedAt">When it was linked (the event's time).</param>
public sealed record IdentityMember(string Id, string Canonical, string How, string? Via, DateTimeOffset LinkedAt)
{
    public const string CanonicalHow = "canonical";

    /// <summary>An id split out of its cluster by an unmerge: it is its own cluster and is not linked again automatically.</summary>
    public const string UnmergedHow = "unmerged";
}
