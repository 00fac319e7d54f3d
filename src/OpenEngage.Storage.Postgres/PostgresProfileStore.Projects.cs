using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

public sealed partial class PostgresProfileStore : IProjectInventory
{
    public async Task<IReadOnlyList<string>> ProjectIdsAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await using var command = _dataSource.CreateCommand();
        return await RelationalProjectIds.ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }
}
