using Npgsql;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The change feed on PostgreSQL: the history rows that also serve the feed (<c>feed</c>), in the
/// change log's shape, and the rows of <c>profile_changes</c>, each table read through its own index
/// and the two merged in order (the view <c>profile_feed</c> shows the same for reading by hand). Several transactions (of one node or many) write
/// them at once, so a row's <c>seq</c> does not tell when it commits: one that took
/// seq 5 may commit after another took and committed seq 6. The feed therefore orders by the
/// writing transaction's id (<c>xid8</c>), then <c>seq</c>, and returns only rows whose transaction
/// is older than the oldest one still running (<c>pg_snapshot_xmin</c>): every row that can still
/// appear belongs to a transaction at or above that horizon, so it sorts after everything already
/// returned and a reader that resumes from its position misses nothing and sees nothing twice.
/// Waiting readers poll every <see cref="ChangePollInterval"/> (commits of other nodes, rows held
/// back by a long transaction) and are woken at once by this node's commits.
/// </summary>
public sealed partial class PostgresProfileStore : IChangeFeed, IWebhookCursorStore
{
    private static readonly TimeSpan ChangePollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The session advisory lock (two-key form) the webhook-delivering node holds.</summary>
    private const int LockClass = 0x4f45, LockWebhooks = 2;

    private readonly ChangeSignal _changesCommitted = new();

    public Task<ChangePage> ReadChangesAsync(ChangeFeedQuery query, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.ThrowIfInvalid();
        EnsureOpen();
        return ChangeFeedReading.ReadOrWaitAsync(token => ReadChangePageAsync(query, token), _changesCommitted, wait, ChangePollInterval, TimeProvider.System, cancellationToken);
    }

    public async Task<ChangePosition> GetEndPositionAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();

        // Every row of a transaction below the horizon is readable now; rows at or above it sort after (horizon, 0).
        await using var command = _dataSource.CreateCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint;");
        var horizon = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new ChangePosition(horizon, 0);
    }

    public async Task<IWebhookDeliveryLease?> TryAcquireWebhookLeaseAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockClass}, {LockWebhooks});", connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return new PostgresWebhookLease(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private async Task<ChangePage> ReadChangePageAsync(ChangeFeedQuery query, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT f.xid::text::bigint, f.seq, f.id,
                   coalesce(f.kind, profile_feed_kind(f.diff_kind)),
                   coalesce(f.changed, profile_feed_changed(f.diff_kind, f.diff))::text,
                   coalesce(f.removed, profile_feed_removed(f.diff_kind, f.diff))::text,
                   f.time, f.received, f.source
            FROM (
                SELECT * FROM (
                    (SELECT xid, seq, id, kind, changed, removed, NULL::text AS diff_kind, NULL::text AS diff, time, received, source
                     FROM profile_changes
                     WHERE project = $1 AND group_key = $2
                       AND (xid, seq) > ($3::text::xid8, $4)
                       AND xid < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY xid, seq
                     LIMIT $5)
                    UNION ALL
                    (SELECT xid, seq, id, NULL, NULL, NULL, kind, changes, time, received, source
                     FROM profile_history
                     WHERE feed AND project = $1 AND group_key = $2
                       AND (xid, seq) > ($3::text::xid8, $4)
                       AND xid < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY xid, seq
                     LIMIT $5)) AS u
                ORDER BY u.xid, u.seq
                LIMIT $5) AS f
            ORDER BY f.xid, f.seq;
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.Project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.GroupKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.After.Transaction.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = query.After.Sequence });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit });

        var changes = new List<FeedChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new FeedChange(
                new ChangePosition(reader.GetInt64(0), reader.GetInt64(1)),
                new ProfileKey(query.Project, query.GroupKey, reader.GetString(2)),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                reader.GetString(8)));
        }

        return new ChangePage(changes, changes.Count > 0 ? changes[^1].Position : query.After);
    }

    /// <summary>
    /// Holds the session advisory lock on its own connection; cursors are read and written on that
    /// connection, so a node that lost it (connection broken, lock gone with it) fails there and
    /// stops delivering.
    /// </summary>
    private sealed class PostgresWebhookLease(NpgsqlConnection connection) : IWebhookDeliveryLease
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task<ChangePosition?> GetCursorAsync(string webhook, CancellationToken cancellationToken = default)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var command = new NpgsqlCommand("SELECT xid, seq FROM webhook_cursors WHERE webhook = $1;", connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhook });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new ChangePosition(reader.GetInt64(0), reader.GetInt64(1))
                    : null;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task SaveCursorAsync(string webhook, ChangePosition position, CancellationToken cancellationToken = default)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var command = new NpgsqlCommand("""
                    INSERT INTO webhook_cursors (webhook, xid, seq, updated_at) VALUES ($1, $2, $3, now())
                    ON CONFLICT (webhook) DO UPDATE SET xid = excluded.xid, seq = excluded.seq, updated_at = excluded.updated_at;
                    """, connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhook });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Transaction });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Sequence });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (connection.State == System.Data.ConnectionState.Open)
                {
                    await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockClass}, {LockWebhooks});", connection);
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and the session lock with it.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                _gate.Dispose();
            }
        }
    }
}
