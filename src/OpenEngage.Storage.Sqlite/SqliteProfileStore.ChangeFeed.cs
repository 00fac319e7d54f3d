using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The change feed on the embedded store: the rows of <c>profile_changes</c> by <c>seq</c>, a view of
/// the <c>profile_history</c> rows that are also the feed's (<see cref="SqliteLogRowRole"/>). One
/// writer commits one transaction at a time and <c>seq</c> is AUTOINCREMENT, so <c>seq</c> order is
/// commit order and a reader never meets a gap that fills later. Within one commit a profile's
/// changes are in apply order, one profile after another. Waiting readers are woken by this
/// process's commits (<see cref="ApplyAsync"/> pulses <see cref="_changesCommitted"/>), with a poll
/// every <see cref="ChangePollInterval"/> as a backstop for writes made outside the group commit.
/// </summary>
public sealed partial class SqliteProfileStore : IChangeFeed, IWebhookCursorStore
{
    private static readonly TimeSpan ChangePollInterval = TimeSpan.FromSeconds(2);

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
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM profile_history;";
        return new ChangePosition(0, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>One process owns the data directory, so the embedded store always grants the lease.</summary>
    public Task<IWebhookDeliveryLease?> TryAcquireWebhookLeaseAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        return Task.FromResult<IWebhookDeliveryLease?>(new SqliteWebhookLease(this));
    }

    private async Task<ChangePage> ReadChangePageAsync(ChangeFeedQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, id, kind, changed, removed, time, received, source
            FROM profile_changes
            WHERE project = $project AND group_key = $group_key AND seq > $after
            ORDER BY seq
            LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$project", query.Project);
        command.Parameters.AddWithValue("$group_key", query.GroupKey);
        command.Parameters.AddWithValue("$after", query.After.Sequence);
        command.Parameters.AddWithValue("$limit", query.Limit);

        var changes = new List<FeedChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new FeedChange(
                new ChangePosition(0, reader.GetInt64(0)),
                new ProfileKey(query.Project, query.GroupKey, reader.GetString(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetString(7)));
        }

        return new ChangePage(changes, changes.Count > 0 ? changes[^1].Position : query.After);
    }

    private async Task<ChangePosition?> GetWebhookCursorAsync(string webhook, CancellationToken cancellationToken)
    {
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM webhook_cursors WHERE webhook = $webhook;";
        command.Parameters.AddWithValue("$webhook", webhook);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? new ChangePosition(0, seq) : null;
    }

    private async Task SaveWebhookCursorAsync(string webhook, ChangePosition position, CancellationToken cancellationToken)
    {
        EnsureOpen();

        // A short write beside the group commit, as saved filters do: SQLite serializes the two.
        await using var connection = await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO webhook_cursors (webhook, xid, seq, updated_at)
            VALUES ($webhook, 0, $seq, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ON CONFLICT (webhook) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at;
            """;
        command.Parameters.AddWithValue("$webhook", webhook);
        command.Parameters.AddWithValue("$seq", position.Sequence);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class SqliteWebhookLease(SqliteProfileStore store) : IWebhookDeliveryLease
    {
        public Task<ChangePosition?> GetCursorAsync(string webhook, CancellationToken cancellationToken = default) =>
            store.GetWebhookCursorAsync(webhook, cancellationToken);

        public Task SaveCursorAsync(string webhook, ChangePosition position, CancellationToken cancellationToken = default) =>
            store.SaveWebhookCursorAsync(webhook, position, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
