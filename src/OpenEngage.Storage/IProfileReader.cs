using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The read side of profile storage. Every query answers with the where evaluator's matches
/// (<see cref="ProfileQuery.Where"/>), in the reference order of <see cref="OpenEngage.Query.SortOrder"/>;
/// a backend decides in its database what it can and evaluates the rest in memory.
/// </summary>
public interface IProfileReader
{
    /// <summary>Reads one profile, or null when it does not exist.</summary>
    Task<StoredProfile?> GetAsync(ProfileKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the profiles matching <paramref name="query"/> (its window:
    /// <see cref="ProfileQuery.Offset"/> and <see cref="ProfileQuery.Limit"/>), in the query's
    /// order, and the number of matches in all, from one state of the store.
    /// </summary>
    Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every profile matching <paramref name="query"/>, in the query's order (its window applies),
    /// read from the store as the caller consumes it.
    /// </summary>
    IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, CancellationToken cancellationToken = default);

    /// <summary>The ids of every profile matching <paramref name="query"/>, in the query's order (its window applies).</summary>
    Task<IReadOnlyList<string>> QueryIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The first page of a paging session over <paramref name="query"/>: the ids of its window, the
    /// number of matches, and a way to read every matching id in order from the same state (see
    /// <see cref="IdSnapshot"/>). The caller disposes the snapshot or reads it to the end.
    /// </summary>
    Task<IdSnapshot> SnapshotIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default);
}
