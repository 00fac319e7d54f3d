using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Where to split the ids of one project's profiles (or one group key's) so that the parts of a
/// parallel scan get similar shares of rows. Each scope's split points come from a scan of its
/// ids in the background, started by the first query that asks and repeated when the points are
/// older than <see cref="MaxAge"/>; until then queries scan in one part. The points decide only
/// the balance: parts always cover every id, whatever the table holds now.
/// </summary>
internal sealed class ScanPartitions : IAsyncDisposable
{
    /// <summary>How long split points are used before a query starts finding new ones.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private const int SampleEvery = 256;

    private readonly Func<CancellationToken, Task<SqliteConnection>> _open;
    private readonly int _parallelism;
    private readonly int _minRowsPerPart;
    private readonly Action<Exception> _onRefreshFailed;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Project, string GroupKey), Entry> _entries = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="open">Opens a read connection.</param>
    /// <param name="parallelism">The most parts a scan is split into.</param>
    /// <param name="minRowsPerPart">Fewer rows than this per part, and the scan is split into fewer parts.</param>
    /// <param name="onRefreshFailed">Reports a failed search for split points; the old points stay.</param>
    /// <param name="time">The clock that ages split points.</param>
    public ScanPartitions(Func<CancellationToken, Task<SqliteConnection>> open, int parallelism, int minRowsPerPart, Action<Exception> onRefreshFailed, TimeProvider time)
    {
        _open = open;
        _parallelism = parallelism;
        _minRowsPerPart = Math.Max(1, minRowsPerPart);
        _onRefreshFailed = onRefreshFailed;
        _time = time;
    }

    /// <summary>
    /// The ids that split the scope into parts, in ascending order: part <c>i</c> holds the ids
    /// from split point <c>i - 1</c> (inclusive) to split point <c>i</c> (exclusive). Empty: one part.
    /// </summary>
    public IReadOnlyList<string> SplitPoints(string project, string groupKey)
    {
        if (_parallelism <= 1)
        {
            return [];
        }

        var entry = _entries.GetOrAdd((project, groupKey), _ => new Entry());
        lock (entry)
        {
            if (entry.Refreshing is null && (entry.FoundAt is not { } found || _time.GetUtcNow() - found > MaxAge) && !_stopping.IsCancellationRequested)
            {
                entry.Refreshing = Task.Run(() => RefreshAsync(project, groupKey, entry));
            }

            return entry.Points;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await WhenIdleAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Waits for the searches running now (tests use it to see split points in place).</summary>
    internal async Task WhenIdleAsync()
    {
        foreach (var entry in _entries.Values)
        {
            Task? running;
            lock (entry)
            {
                running = entry.Refreshing;
            }

            if (running is not null)
            {
                await running.ConfigureAwait(false);
            }
        }
    }

    private async Task RefreshAsync(string project, string groupKey, Entry entry)
    {
        string[]? points = null;
        try
        {
            var sample = new List<string>();
            long rows = 0;
            await using (var connection = await _open(_stopping.Token).ConfigureAwait(false))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT id FROM profiles WHERE project = $project AND group_key = $group_key ORDER BY id;";
                command.Parameters.AddWithValue("$project", project);
                command.Parameters.AddWithValue("$group_key", groupKey);
                await using var reader = await command.ExecuteReaderAsync(_stopping.Token).ConfigureAwait(false);
                while (reader.Read())
                {
                    if (rows++ % SampleEvery == 0)
                    {
                        _stopping.Token.ThrowIfCancellationRequested();
                        sample.Add(reader.GetString(0));
                    }
                }
            }

            var parts = (int)Math.Clamp(rows / _minRowsPerPart, 1, _parallelism);
            points = new string[parts - 1];
            for (var i = 1; i < parts; i++)
            {
                points[i - 1] = sample[(int)((long)i * sample.Count / parts)];
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
        {
            _onRefreshFailed(exception);
        }
        finally
        {
            lock (entry)
            {
                if (points is not null)
                {
                    entry.Points = points;
                }

                entry.FoundAt = _time.GetUtcNow();
                entry.Refreshing = null;
            }
        }
    }

    private sealed class Entry
    {
        public IReadOnlyList<string> Points { get; set; } = [];

        public DateTimeOffset? FoundAt { get; set; }

        public Task? Refreshing { get; set; }
    }
}
