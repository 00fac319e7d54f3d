using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>The property history: reading it, its retention, and removing a profile's.</summary>
public sealed partial class SqliteProfileStore : IProfileHistory
{
    public async IAsyncEnumerable<HistoryRecord> ReadHistoryAsync(HistoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteHistoryChain.HistorySql;
        command.Parameters.AddWithValue("$project", query.Key.Project);
        command.Parameters.AddWithValue("$group_key", query.Key.GroupKey);
        command.Parameters.AddWithValue("$id", query.Key.Id);
        command.Parameters.AddWithValue("$from", query.FromMs ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.ToMs ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return HistoryRows.Record(reader);
        }
    }

    public async IAsyncEnumerable<LoggedDiff> ReadChangesAfterAsync(string project, string groupKey, long afterMs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(groupKey);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // No index leads to one profile's rows any more (they form chains, SqliteHistoryChain): one
        // scan of the table, keeping the chains' rows after the time, sorted by profile.
        command.CommandText = $"""
            SELECT id, kind, changes FROM profile_history
            WHERE project = $project AND group_key = $group_key AND time > $after AND feed < {(int)SqliteLogRowRole.FeedOnly}
            ORDER BY id, time DESC, seq DESC;
            """;
        command.Parameters.AddWithValue("$project", project);
        command.Parameters.AddWithValue("$group_key", groupKey);
        command.Parameters.AddWithValue("$after", afterMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return HistoryRows.Diff(reader);
        }
    }

    public Task<long> PurgeHistoryAsync(DateTimeOffset receivedBefore, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var cutoff = receivedBefore.ToUnixTimeMilliseconds();
        return HistoryPurge.RunAsync(["profile_history"], "$cutoff", (sql, token) => WriteSideAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$cutoff", cutoff);
            return command.ExecuteNonQuery();
        }, token), cancellationToken);
    }

    public async Task RemoveHistoryAsync(IReadOnlyList<ProfileKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        EnsureOpen();
        await WriteSideAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = SqliteHistoryChain.RemoveSql;
            var project = command.Parameters.Add("$project", SqliteType.Text);
            var groupKey = command.Parameters.Add("$group_key", SqliteType.Text);
            var id = command.Parameters.Add("$id", SqliteType.Text);
            long removed = 0;
            foreach (var key in keys)
            {
                project.Value = key.Project;
                groupKey.Value = key.GroupKey;
                id.Value = key.Id;
                removed += command.ExecuteNonQuery();
            }

            return removed;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a delete on a side write connection (<see cref="OpenSideWriterAsync"/>) in one immediate transaction.</summary>
    private async Task<long> WriteSideAsync(Func<SqliteConnection, SqliteTransaction, long> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var count = work(connection, transaction);
        transaction.Commit();
        return count;
    }
}
