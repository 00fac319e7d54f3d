using Npgsql;

namespace OpenEngage.Storage.Postgres;

/// <summary>Saved filters in the <c>saved_filters</c> table, each change its own statement on a pooled connection.</summary>
public sealed partial class PostgresProfileStore : ISavedFilterStore
{
    private const string SavedFilterColumns = "id, project, group_key, name, where_text, created_at";

    public async Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(groupKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(where);
        EnsureOpen();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO saved_filters (project, group_key, name, where_text) VALUES ($1, $2, $3, $4) RETURNING {SavedFilterColumns};",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = groupKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = where });
        return (await ReadSavedFiltersAsync(command, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {SavedFilterColumns} FROM saved_filters WHERE project = $1 ORDER BY id;", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        return await ReadSavedFiltersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {SavedFilterColumns} FROM saved_filters WHERE project = $1 AND id = $2;", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        var found = await ReadSavedFiltersAsync(command, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("DELETE FROM saved_filters WHERE project = $1 AND id = $2;", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static async Task<IReadOnlyList<SavedFilter>> ReadSavedFiltersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var filters = new List<SavedFilter>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            filters.Add(new SavedFilter(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return filters;
    }
}
