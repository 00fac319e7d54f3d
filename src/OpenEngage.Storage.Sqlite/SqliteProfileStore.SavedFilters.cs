using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Saved filters in the <c>saved_filters</c> table. They change rarely, so a write opens its own
/// short-lived connection beside the profile writer (SQLite serializes the two; the busy timeout
/// waits for a profile commit in progress) instead of going through the group commit.
/// </summary>
public sealed partial class SqliteProfileStore : ISavedFilterStore
{
    public async Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(groupKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(where);
        EnsureOpen();
        var createdAt = DateTimeOffset.UtcNow;
        await using var connection = await OpenSavedFilterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO saved_filters (project, group_key, name, where_text, created_at)
            VALUES ($project, $group_key, $name, $where, $created_at)
            RETURNING id;
            """;
        command.Parameters.AddWithValue("$project", project);
        command.Parameters.AddWithValue("$group_key", groupKey);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$where", where);
        command.Parameters.AddWithValue("$created_at", createdAt.ToString("O", CultureInfo.InvariantCulture));
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new SavedFilter(id, project, groupKey, name, where, createdAt);
    }

    public async Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, project, group_key, name, where_text, created_at FROM saved_filters WHERE project = $project ORDER BY id;";
        command.Parameters.AddWithValue("$project", project);
        return await ReadSavedFiltersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, project, group_key, name, where_text, created_at FROM saved_filters WHERE project = $project AND id = $id;";
        command.Parameters.AddWithValue("$project", project);
        command.Parameters.AddWithValue("$id", id);
        var found = await ReadSavedFiltersAsync(command, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenSavedFilterWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM saved_filters WHERE project = $project AND id = $id;";
        command.Parameters.AddWithValue("$project", project);
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private async Task<SqliteConnection> OpenSavedFilterWriterAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // Durable on return, as every acknowledged profile change is.
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<IReadOnlyList<SavedFilter>> ReadSavedFiltersAsync(SqliteCommand command, CancellationToken cancellationToken)
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
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }

        return filters;
    }
}
