namespace OpenEngage.Storage.Sqlite;

/// <summary>The readiness probe of the embedded store.</summary>
public sealed partial class SqliteProfileStore : IStoreReadiness
{
    private const string ProbeFileName = ".readiness-probe";

    public GroupCommitHealth WriterHealth => _commits.Health;

    public int QueuedBatches => _commits.QueuedBatches;

    /// <summary>
    /// Writes, flushes and deletes a small file beside the database: a read-only or full file
    /// system, an immutable directory or lost permissions on it fail it.
    /// </summary>
    /// <remarks>
    /// The database file itself is never opened here: closing any other descriptor of it would
    /// drop the POSIX locks SQLite holds on it in this process. A database file that alone lost
    /// its write permission shows as failed commits (<c>openengage_group_commit_failures_total</c>).
    /// </remarks>
    public Task<StoreProbeResult> ProbeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _initialized) == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return Task.FromResult(new StoreProbeResult(false, "the store is not open"));
        }

        try
        {
            var probe = System.IO.Path.Combine(_directory, ProbeFileName);
            using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                file.Write("ready"u8);
                file.Flush(flushToDisk: true);
            }

            return Task.FromResult(new StoreProbeResult(true, $"{_directory} is writable"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(new StoreProbeResult(false, $"{_directory} does not take writes: {exception.Message}"));
        }
    }
}
