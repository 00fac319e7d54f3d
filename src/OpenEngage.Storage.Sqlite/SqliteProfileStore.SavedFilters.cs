using System.Globalization;
using Microsoft.Data.Sqlite;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Saved filters in the <c>saved_filters</c> table (<see cref="RelationalSavedFilterStore"/>). They
/// change rarely, so a write opens its own short-lived connection beside the profile writer (SQLite
/// serializes the two; the busy timeout waits for a profile commit in progress) instead of going
/// through the group commit. <c>created_at</c> is ISO 8601 text.
/// </summary>
public sealed partial class SqliteProfileStore : ISavedFilterStore
{
    private RelationalSavedFilterStore SavedFilters => field ??= new(new RelationalSavedFilterDialect
    {
        ParameterMarker = "$",
        EnsureOpen = EnsureOpen,
        OpenReaderAsync = async cancellationToken => await OpenReaderAsync(cancellationToken).ConfigureAwait(false),
        OpenWriterAsync = async cancellationToken => await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false),
        CreatedAtValue = createdAt => createdAt.ToString("O", CultureInfo.InvariantCulture),
        ReadCreatedAt = (reader, ordinal) => DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
    });

    public Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default) =>
        SavedFilters.CreateSavedFilterAsync(project, groupKey, name, where, cancellationToken);

    public Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default) =>
        SavedFilters.ListSavedFiltersAsync(project, cancellationToken);

    public Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default) =>
        SavedFilters.GetSavedFilterAsync(project, id, cancellationToken);

    public Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default) =>
        SavedFilters.DeleteSavedFilterAsync(project, id, cancellationToken);

    /// <summary>
    /// A write connection beside the group commit, for writes that are not profile updates (saved
    /// filters, the identity map, webhook positions, history retention): durable on commit, and
    /// waiting for the group commit's transaction through the busy timeout. The group commit notices
    /// its commits (<c>data_version</c>) and reloads what it cached.
    /// </summary>
    private async Task<SqliteConnection> OpenSideWriterAsync(CancellationToken cancellationToken)
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
}
