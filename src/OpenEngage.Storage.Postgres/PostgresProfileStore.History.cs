using System.Runtime.CompilerServices;
using Npgsql;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Postgres;

/// <summary>The property history: reading it, its retention, and removing a profile's.</summary>
public sealed partial class PostgresProfileStore : IProfileHistory
{
    /// <summary>How many rows one purge statement deletes at most.</summary>
    private const int PurgeSlice = 10_000;

    public async IAsyncEnumerable<HistoryRecord> ReadHistoryAsync(HistoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureOpen();
        if (HasNul(query.Key))
        {
            yield break;
        }

        await using var command = _dataSource.CreateCommand("""
            SELECT time, received, source, credential, kind, changes::text FROM profile_history
            WHERE project = $1 AND group_key = $2 AND id = $3 AND time >= $4 AND time <= $5
            ORDER BY time DESC, seq DESC;
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.Key.Project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.Key.GroupKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.Key.Id });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = query.FromMs ?? long.MinValue });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = query.ToMs ?? long.MaxValue });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new HistoryRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), ProfileDiff.Parse(reader.GetString(4), reader.GetString(5)));
        }
    }

    public async IAsyncEnumerable<LoggedDiff> ReadChangesAfterAsync(string project, string groupKey, long afterMs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(groupKey);
        EnsureOpen();
        if (HasNul(project) || HasNul(groupKey))
        {
            yield break;
        }

        await using var command = _dataSource.CreateCommand("""
            SELECT id, kind, changes::text FROM profile_history
            WHERE project = $1 AND group_key = $2 AND time > $3
            ORDER BY id, time DESC, seq DESC;
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = groupKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterMs });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new LoggedDiff(reader.GetString(0), ProfileDiff.Parse(reader.GetString(1), reader.GetString(2)));
        }
    }

    public async Task<long> PurgeHistoryAsync(DateTimeOffset receivedBefore, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        long total = 0;
        foreach (var table in new[] { "profile_history", "profile_changes" })
        {
            // In slices, each its own short statement, so no writer waits on one long delete.
            while (true)
            {
                await using var command = _dataSource.CreateCommand(
                    $"DELETE FROM {table} WHERE seq IN (SELECT seq FROM {table} WHERE received < $1 LIMIT {PurgeSlice});");
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = receivedBefore.ToUnixTimeMilliseconds() });
                var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                total += removed;
                if (removed < PurgeSlice)
                {
                    break;
                }
            }
        }

        return total;
    }

    public async Task RemoveHistoryAsync(IReadOnlyList<ProfileKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        EnsureOpen();
        var kept = keys.Where(key => !HasNul(key)).Distinct().ToList();
        if (kept.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);

        // The profiles' write locks, in the writers' order: no group re-folds their log meanwhile.
        var locks = new NpgsqlBatchCommand("SELECT count(pg_advisory_xact_lock(l)) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(l, n);");
        locks.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. kept.Select(LockId).Distinct().Order()] });
        batch.BatchCommands.Add(locks);

        var (projects, groupKeys, ids) = Columns(kept);
        var delete = new NpgsqlBatchCommand("""
            DELETE FROM profile_history h
            USING unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
            WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id;
            """);
        delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
        delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
        delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        batch.BatchCommands.Add(delete);

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
