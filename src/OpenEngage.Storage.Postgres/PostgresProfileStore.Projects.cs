namespace OpenEngage.Storage.Postgres;

public sealed partial class PostgresProfileStore : IProjectInventory
{
    public async Task<IReadOnlyList<string>> ProjectIdsAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await using var command = _dataSource.CreateCommand(ProjectIdsQuery.Sql);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}
