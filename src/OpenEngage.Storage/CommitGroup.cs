using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The batches a writer took from a <see cref="GroupCommitQueue"/> to commit in one transaction,
/// with their waiting callers: the writer either completes every caller with its results
/// (<see cref="Complete"/>), fails every one of them (<see cref="Fail"/>), or, when the database
/// refused the group's data, isolates the updates at fault (<see cref="IsolateAsync"/>).
/// </summary>
/// <remarks>
/// One update must never fail another request's updates. When the database refuses a group's data
/// (the store says the failure is caused by the updates, and nothing was stored), the group is
/// isolated: its updates are committed again in queue order in halves, halves of halves, down to
/// single updates; every part that commits completes its updates, and a single update the database
/// still refuses is rejected with a per-record error. Any other failure (a full disk, a lost
/// connection) fails the requests it affects.
/// </remarks>
public sealed partial class CommitGroup
{
    private readonly List<WriteRequest> _requests;

    internal CommitGroup(List<WriteRequest> requests, List<IReadOnlyList<ProfileUpdate>> batches, int updateCount)
    {
        _requests = requests;
        Batches = batches;
        UpdateCount = updateCount;
    }

    /// <summary>The batches of the group, one per request, in queue order.</summary>
    public IReadOnlyList<IReadOnlyList<ProfileUpdate>> Batches { get; }

    /// <summary>The number of requests (batches) in the group.</summary>
    public int RequestCount => _requests.Count;

    /// <summary>The number of updates across all batches.</summary>
    public int UpdateCount { get; }

    /// <summary>The group is committed: completes every caller with its batch's results.</summary>
    /// <param name="results">One array per batch, in batch order.</param>
    public void Complete(ApplyResult[][] results)
    {
        ArgumentNullException.ThrowIfNull(results);
        for (var i = 0; i < _requests.Count; i++)
        {
            _requests[i].Completion.TrySetResult(results[i]);
        }
    }

    /// <summary>Nothing of the group was stored: fails every caller with <paramref name="exception"/>.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        foreach (var request in _requests)
        {
            request.Completion.TrySetException(exception);
        }
    }
}
