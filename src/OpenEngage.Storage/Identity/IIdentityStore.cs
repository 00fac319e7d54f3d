namespace OpenEngage.Storage.Identity;

/// <summary>
/// The identity map (contract §8): clusters of user ids, each with a canonical id under which the
/// profile lives. Every change is one durable transaction that also merges or removes the profiles
/// it concerns, and is durable when the returned task completes.
/// </summary>
public interface IIdentityStore
{
    /// <summary>Applies one identity event by the rules of its mode (<see cref="IdentityPlanner"/>), merging profiles of ids that join a cluster.</summary>
    Task<IdentityLinkResult> LinkAsync(IdentityLinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>The canonical id of each of <paramref name="ids"/> that belongs to a cluster under another id; ids not listed resolve to themselves.</summary>
    Task<IReadOnlyDictionary<string, string>> FindCanonicalIdsAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Whether the project's identity map holds any id: when it holds none, every id resolves to itself.</summary>
    Task<bool> HasLinksAsync(string project, CancellationToken cancellationToken = default);

    /// <summary>The cluster <paramref name="distinctId"/> belongs to, or null when it belongs to none.</summary>
    Task<IdentityCluster?> GetClusterAsync(string project, string distinctId, CancellationToken cancellationToken = default);

    /// <summary>Splits <paramref name="distinctId"/> out of its cluster; it stays apart until an explicit link joins it again.</summary>
    Task<IdentityUnmergeStatus> UnmergeAsync(string project, string distinctId, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes, in one durable transaction, the user profiles of <paramref name="ids"/> and of every id
    /// of their clusters, and those clusters' map entries. Returns every id removed that way.
    /// </summary>
    Task<IReadOnlyList<string>> DeleteIdentitiesAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);
}
