namespace OpenEngage.Storage.Identity;

/// <summary>The ids of one person: the canonical id, under which the profile lives, and every member (the canonical id included).</summary>
public sealed record IdentityCluster(string Canonical, IReadOnlyList<IdentityMember> Members);
