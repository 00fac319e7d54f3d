namespace OpenEngage.Storage.Identity;

/// <summary>What a store writes for an unmerge: the row of the split id, and the canonical row to remove when nothing else is left in its cluster.</summary>
public sealed record IdentityUnmergeStep(IdentityUnmergeStatus Status, IdentityMember? Split, string? RemoveCanonical);
