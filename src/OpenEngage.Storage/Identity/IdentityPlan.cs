namespace OpenEngage.Storage.Identity;

/// <summary>
/// What a store does for one link request: the rows of the map to write and the ids whose profiles
/// merge into <see cref="IdentityLinkResult.Canonical"/>'s, all in one transaction.
/// </summary>
/// <param name="Result">The answer once it is durable.</param>
/// <param name="Rows">Map rows to insert or replace (by id).</param>
/// <param name="MergedProfiles">Ids whose user profile, if any, merges into the canonical profile and is then removed.</param>
public sealed record IdentityPlan(IdentityLinkResult Result, IReadOnlyList<IdentityMember> Rows, IReadOnlyList<string> MergedProfiles)
{
    public bool ChangesAnything => Rows.Count > 0;
}
