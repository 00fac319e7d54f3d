using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// Holds the embedded store's pipeline at a chosen point, through its test hooks: the first stage
/// when it takes its next group, or the commit stage before its next transaction begins
/// (<see cref="StageHold"/>), or only notes the moment the first stage takes its next group
/// (<see cref="NextGroupTaken"/>).
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

    /// <summary>Holds one stage of the pipeline the first time it reaches its hook, until released (or disposed).</summary>
    public sealed class StageHold : IDisposable
    {
        private readonly TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        private StageHold()
        {
        }

        /// <summary>Completes once the stage has reached its hook and is held.</summary>
        public Task Taken => _taken.Task;

        /// <summary>Holds the first stage on the next group it takes, before preparing it.</summary>
        public static StageHold AtGroupTaken(SqliteProfileStore store)
        {
            var hold = new StageHold();
            store.OnGroupTaken = hold.Arrive;
            return hold;
        }

        /// <summary>Holds the commit stage before its next transaction begins.</summary>
        public static StageHold AtCommit(SqliteProfileStore store)
        {
            var hold = new StageHold();
            store.OnCommitStarting = hold.Arrive;
            return hold;
        }

        public void Release() => _released.TrySetResult();

        public void Dispose() => Release();

        private void Arrive()
        {
            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                _taken.SetResult();
                _released.Task.Wait();
            }
        }
    }
}
