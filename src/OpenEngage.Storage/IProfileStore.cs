using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// Durable storage of profiles. A backend applies updates with <see cref="ProfileEngine"/> inside its
/// own transaction, so read-modify-write is atomic per profile, and returns only once every applied
/// change is durable (survives a crash of the process or the machine).
/// </summary>
public interface IProfileStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema. Called once at start-up, before any other member.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="updates"/> in order (each must have a <see cref="ProfileUpdate.Project"/>)
    /// and returns one result per update, in the same order. A rejected update changes nothing.
    /// When the returned task completes successfully, every applied change is durable.
    /// </summary>
    Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken = default);

    /// <summary>Reads one profile, or null when it does not exist.</summary>
    Task<StoredProfile?> GetAsync(ProfileKey key, CancellationToken cancellationToken = default);

    /// <summary>Lists the profiles of one project and profile kind, ordered by id, one page at a time.</summary>
    Task<ProfilePage> ListAsync(ProfileListRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the profiles matching <paramref name="query"/> (its <c>where</c> filter and
    /// distinct ids), in the query's order, and the number of matches in all. A backend should
    /// filter inside its database; this default evaluates every profile in memory.
    /// </summary>
    Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default) =>
        InMemoryQuery.QueryAsync(this, query, cancellationToken);

    /// <summary>
    /// Every profile matching <paramref name="query"/>, in the query's order, streamed
    /// (<see cref="ProfileQuery.Offset"/> and <see cref="ProfileQuery.Limit"/> apply).
    /// </summary>
    IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, CancellationToken cancellationToken = default) =>
        InMemoryQuery.StreamAsync(this, query, cancellationToken);

    /// <summary>The ids of every profile matching <paramref name="query"/>, in the query's order (offset and limit apply).</summary>
    Task<IReadOnlyList<string>> QueryIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default) =>
        InMemoryQuery.QueryIdsAsync(this, query, cancellationToken);

    /// <summary>
    /// The first page of a paging session over <paramref name="query"/>: the ids of its window
    /// (<see cref="ProfileQuery.Offset"/> and <see cref="ProfileQuery.Limit"/>), the number of
    /// matches, and every matching id in order from the same state (see <see cref="IdSnapshot"/>).
    /// This default finds every id first.
    /// </summary>
    Task<IdSnapshot> SnapshotIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default) =>
        IdSnapshot.FromAllIdsAsync(this, query, cancellationToken);
}
