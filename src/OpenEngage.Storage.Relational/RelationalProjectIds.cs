using System.Data.Common;

namespace OpenEngage.Storage.Relational;

/// <summary>Runs <see cref="ProjectIdsQuery"/> on a command of any relational backend.</summary>
public static class RelationalProjectIds
{
    /// <summary>The project ids <paramref name="command"/> (whose text is set here) returns, in ordinal order.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
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
