using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// Isolating a group the database refused: its updates are committed again in queue order, in
/// ever smaller parts, so that only the updates the database still refuses on their own are
/// rejected and every other update of the group is applied.
/// </summary>
/// <remarks>
/// Parts are committed one after another in queue order, so every update sees the updates before
/// it exactly as in one commit, the refused ones left out (as an invalid record changes nothing).
/// A part is first cut at the request boundary nearest its middle, so a request's updates stay
/// together as long as possible; a part of one request is cut in the middle. A part that fails for
/// a reason other than its data fails the requests it holds; their parts not yet committed are
/// skipped.
/// </remarks>
public sealed partial class CommitGroup
{
    /// <summary>
    /// The database refused the group's data (<paramref name="refusal"/>) and stored nothing:
    /// commits the group again in ever smaller parts with <paramref name="commit"/>, completing every
    /// part that commits, rejecting every single update still refused and failing the requests of a
    /// part that fails for another reason; then completes or fails every caller.
    /// </summary>
    /// <param name="commit">Commits one part in one transaction; throws when nothing of it was stored.</param>
    /// <param name="isCausedByUpdates">Whether an exception of <paramref name="commit"/> is a refusal of the part's data.</param>
    /// <param name="refusal">Why the database refused the whole group.</param>
    public async Task IsolateAsync(CommitGroupAsync commit, Func<Exception, bool> isCausedByUpdates, Exception refusal)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(isCausedByUpdates);
        ArgumentNullException.ThrowIfNull(refusal);

        var isolation = new Isolation(_requests);
        var pending = new Stack<(Part Part, Exception? Refusal)>();
        pending.Push((isolation.All(), refusal));
        while (pending.TryPop(out var next))
        {
            var part = isolation.Live(next.Part);
            if (part.Count == 0)
            {
                continue;
            }

            if (next.Refusal is null)
            {
                try
                {
                    isolation.Complete(part, await commit(part.Batches(), part.Count).ConfigureAwait(false));
                    continue;
                }
                catch (Exception exception) when (isCausedByUpdates(exception))
                {
                    next.Refusal = exception;
                }
                catch (Exception exception)
                {
                    isolation.Fail(part, exception);
                    continue;
                }
            }

            Split(isolation, pending, part, next.Refusal);
        }

        isolation.Finish();
    }

    /// <summary>The result of an update the database refused on its own.</summary>
    private static ApplyResult Refused(ProfileUpdate update, Exception exception) =>
        new(ApplyStatus.Rejected, null, new RecordError("", $"the store refused this record: {exception.Message}"), update.Warnings);

    /// <summary>Rejects a single refused update, or queues the two halves of a larger part (first half on top).</summary>
    private static void Split(Isolation isolation, Stack<(Part Part, Exception? Refusal)> pending, Part part, Exception refusal)
    {
        if (part.Count == 1)
        {
            isolation.Reject(part.Items[0], refusal);
            return;
        }

        var (first, second) = part.Halves();
        pending.Push((second, null));
        pending.Push((first, null));
    }

    /// <summary>One update of the group: its request and its place in that request's batch.</summary>
    private readonly record struct Item(int Request, int Index);

    /// <summary>Some updates of the group, in queue order.</summary>
    private sealed class Part(Isolation owner, List<Item> items)
    {
        public List<Item> Items { get; } = items;

        public int Count => Items.Count;

        /// <summary>The part as batches: one per request it touches, each holding that request's updates of the part.</summary>
        public List<IReadOnlyList<ProfileUpdate>> Batches()
        {
            var batches = new List<IReadOnlyList<ProfileUpdate>>();
            List<ProfileUpdate>? batch = null;
            var request = -1;
            foreach (var item in Items)
            {
                if (item.Request != request)
                {
                    request = item.Request;
                    batch = [];
                    batches.Add(batch);
                }

                batch!.Add(owner.Update(item));
            }

            return batches;
        }

        /// <summary>Cuts at the request boundary nearest the middle, or in the middle of a single request's updates.</summary>
        public (Part First, Part Second) Halves()
        {
            var middle = Items.Count / 2;
            var cut = -1;
            for (var i = 1; i < Items.Count; i++)
            {
                if (Items[i].Request != Items[i - 1].Request && (cut < 0 || Math.Abs(i - middle) < Math.Abs(cut - middle)))
                {
                    cut = i;
                }
            }

            if (cut < 0)
            {
                cut = middle;
            }

            return (new Part(owner, Items[..cut]), new Part(owner, Items[cut..]));
        }
    }

    /// <summary>The outcome of every update of an isolated group, completed when the isolation is done.</summary>
    private sealed class Isolation
    {
        private readonly List<WriteRequest> _group;
        private readonly ApplyResult[][] _results;
        private readonly Exception?[] _failures;

        public Isolation(List<WriteRequest> group)
        {
            _group = [.. group];
            _results = new ApplyResult[_group.Count][];
            _failures = new Exception?[_group.Count];
            for (var i = 0; i < _group.Count; i++)
            {
                _results[i] = new ApplyResult[_group[i].Updates.Count];
            }
        }

        public ProfileUpdate Update(Item item) => _group[item.Request].Updates[item.Index];

        public Part All()
        {
            var items = new List<Item>();
            for (var request = 0; request < _group.Count; request++)
            {
                for (var index = 0; index < _group[request].Updates.Count; index++)
                {
                    items.Add(new Item(request, index));
                }
            }

            return new Part(this, items);
        }

        /// <summary>The part without the updates of requests that have failed meanwhile.</summary>
        public Part Live(Part part) =>
            part.Items.TrueForAll(item => _failures[item.Request] is null)
                ? part
                : new Part(this, part.Items.FindAll(item => _failures[item.Request] is null));

        /// <summary>Takes the results of a committed part: one array per batch of <see cref="Part.Batches"/>.</summary>
        public void Complete(Part part, ApplyResult[][] results)
        {
            var batch = -1;
            var position = 0;
            var request = -1;
            foreach (var item in part.Items)
            {
                if (item.Request != request)
                {
                    request = item.Request;
                    batch++;
                    position = 0;
                }

                _results[item.Request][item.Index] = results[batch][position++];
            }
        }

        public void Reject(Item item, Exception refusal) => _results[item.Request][item.Index] = Refused(Update(item), refusal);

        public void Fail(Part part, Exception exception)
        {
            foreach (var item in part.Items)
            {
                _failures[item.Request] ??= exception;
            }
        }

        /// <summary>Completes every request with its results, or fails it.</summary>
        public void Finish()
        {
            for (var i = 0; i < _group.Count; i++)
            {
                if (_failures[i] is { } failure)
                {
                    _group[i].Completion.TrySetException(failure);
                }
                else
                {
                    _group[i].Completion.TrySetResult(_results[i]);
                }
            }
        }
    }
}
