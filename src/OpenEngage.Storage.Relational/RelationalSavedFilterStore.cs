using System.Data.Common;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// The saved filters of the <c>saved_filters</c> table, written once for every relational backend:
/// argument checks, the SQL (the same in both dialects but for the parameter marker and who stamps
/// <c>created_at</c>), the parameters and the row mapping. The backend gives its connections and its
/// <c>created_at</c> conversion through <see cref="RelationalSavedFilterDialect"/>.
/// </summary>
public sealed class RelationalSavedFilterStore(RelationalSavedFilterDialect dialect) : ISavedFilterStore
{
    private const string Columns = "id, project, group_key, name, where_text, created_at";

    private readonly RelationalSavedFilterDialect _dialect = dialect ?? throw new ArgumentNullException(nameof(dialect));

    public async Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(groupKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(where);
        _dialect.EnsureOpen();
        var m = _dialect.ParameterMarker;
        var stamped = _dialect.CreatedAtValue is not null;
        await using var connection = await _dialect.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = stamped
            ? $"INSERT INTO saved_filters (project, group_key, name, where_text, created_at) VALUES ({m}project, {m}group_key, {m}name, {m}where, {m}created_at) RETURNING {Columns};"
            : $"INSERT INTO saved_filters (project, group_key, name, where_text) VALUES ({m}project, {m}group_key, {m}name, {m}where) RETURNING {Columns};";
        Add(command, "project", project);
        Add(command, "group_key", groupKey);
        Add(command, "name", name);
        Add(command, "where", where);
        if (_dialect.CreatedAtValue is { } createdAtValue)
        {
            Add(command, "created_at", createdAtValue(DateTimeOffset.UtcNow));
        }

        return (await ReadAsync(command, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        _dialect.EnsureOpen();
        await using var connection = await _dialect.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM saved_filters WHERE project = {_dialect.ParameterMarker}project ORDER BY id;";
        Add(command, "project", project);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        _dialect.EnsureOpen();
        await using var connection = await _dialect.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateByIdCommand(connection, $"SELECT {Columns} FROM saved_filters", project, id);
        var found = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        _dialect.EnsureOpen();
        await using var connection = await _dialect.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateByIdCommand(connection, "DELETE FROM saved_filters", project, id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private DbCommand CreateByIdCommand(DbConnection connection, string statement, string project, long id)
    {
        var m = _dialect.ParameterMarker;
        var command = connection.CreateCommand();
        command.CommandText = $"{statement} WHERE project = {m}project AND id = {m}id;";
        Add(command, "project", project);
        Add(command, "id", id);
        return command;
    }

    private void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = _dialect.ParameterMarker + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private async Task<IReadOnlyList<SavedFilter>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
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
                _dialect.ReadCreatedAt(reader, 5)));
        }

        return filters;
    }
}
