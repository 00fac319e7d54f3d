namespace OpenEngage.Storage.Sqlite;

public sealed partial class SqliteProfileStore : IProjectInventory
{
    public async Task<IReadOnlyList<string>> ProjectIdsAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = ProjectIdsQuery.Sql;
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
