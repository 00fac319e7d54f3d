using Npgsql;

namespace OpenEngage.Storage.Postgres;

/// <summary>The readiness probe of the PostgreSQL store.</summary>
public sealed partial class PostgresProfileStore : IStoreReadiness
{
    public GroupCommitHealth WriterHealth => _commits.Health;

    public int QueuedBatches => _commits.QueuedBatches;

    /// <summary>Connects and asks whether the server takes writes (not a standby, not read-only).</summary>
    public async Task<StoreProbeResult> ProbeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _initialized) == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return new StoreProbeResult(false, "the store is not open");
        }

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetBoolean(0))
            {
                return new StoreProbeResult(false, $"the PostgreSQL {Where} is a standby in recovery: it takes no writes");
            }

            return reader.GetString(1) == "on"
                ? new StoreProbeResult(false, $"the PostgreSQL {Where} is read-only (default_transaction_read_only)")
                : new StoreProbeResult(true, $"the PostgreSQL {Where} takes writes");
        }
        catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return new StoreProbeResult(false, $"cannot reach the PostgreSQL {Where}: {exception.Message}");
        }
    }
}
