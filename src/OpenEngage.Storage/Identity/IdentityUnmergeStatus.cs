namespace OpenEngage.Storage.Identity;

/// <summary>What an unmerge did.</summary>
public enum IdentityUnmergeStatus
{
    /// <summary>The id was split out of its cluster; its later updates go to its own profile.</summary>
    Unmerged,

    /// <summary>The id belongs to no cluster.</summary>
    NotLinked,

    /// <summary>The id is the canonical id of a cluster with other members: split those out instead.</summary>
    IsCanonical,
}
