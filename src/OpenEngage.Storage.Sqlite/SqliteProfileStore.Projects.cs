using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

public sealed partial class SqliteProfileStore : IProjectInventory
{
    public async Task<IReadOnlyList<string>> ProjectIdsAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        return await RelationalProjectIds.ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }
}
