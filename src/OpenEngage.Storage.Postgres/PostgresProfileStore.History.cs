using System.Runtime.CompilerServices;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>The property history: reading it, its retention, and removing a profile's.</summary>
public sealed partial class PostgresProfileStore : IProfileHistory
{
    public async IAsyncEnumerable<HistoryRecord> ReadHistoryAsync(HistoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureOpen();
        if (HasNul(query.Key))
        {
            yield break;
        }

        await using var command = _dataSource.CreateCommand("""
            SELECT time, received, source, credential, kind, changes FROM profile_history
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
            yield return HistoryRows.Record(reader);
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
            SELECT id, kind, changes FROM profile_history
            WHERE project = $1 AND group_key = $2 AND time > $3
            ORDER BY id, time DESC, seq DESC;
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = groupKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterMs });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return HistoryRows.Diff(reader);
        }
    }

    public Task<long> PurgeHistoryAsync(DateTimeOffset receivedBefore, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        return HistoryPurge.RunAsync(["profile_history", "profile_changes"], "$1", async (sql, token) =>
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = receivedBefore.ToUnixTimeMilliseconds() });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken);
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

        // The rows go, and with them the profiles' newest logged times.
        var columns = Columns(kept);
        foreach (var sql in (string[])[
            """
            DELETE FROM profile_history h
            USING unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
            WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id;
            """,
            """
            DELETE FROM log_heads h
            USING unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
            WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id;
            """,
            """
            UPDATE profiles p SET log_time = NULL
            FROM unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
            WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id AND p.log_time IS NOT NULL;
            """])
        {
            batch.BatchCommands.Add(KeysCommand(sql, columns));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
