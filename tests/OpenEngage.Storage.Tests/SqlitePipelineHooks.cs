using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// Holds the embedded store's pipeline at a chosen point, through its test hooks: the commit stage
/// before its next transaction begins (<see cref="CommitHold"/>), or the moment the first stage
/// takes its next group (<see cref="NextGroupTaken"/>).
/// </summary>
internal static class SqlitePipelineHooks
{
    /// <summary>Completes when the first stage takes its next group, before preparing it.</summary>
    public static Task NextGroupTaken(SqliteProfileStore store)
    {
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.OnGroupTaken = () => taken.TrySetResult();
        return taken.Task;
    }

    /// <summary>Holds the commit stage before the next transaction begins, until released.</summary>
    public sealed class CommitHold
    {
        private readonly TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public CommitHold(SqliteProfileStore store) => store.OnCommitStarting = () =>
        {
            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                _taken.SetResult();
                _released.Task.Wait();
            }
        };

        public Task Taken => _taken.Task;

        public void Release() => _released.TrySetResult();
    }
}
