using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// Saved filters in the <c>saved_filters</c> table (<see cref="RelationalSavedFilterStore"/>), each
/// change its own statement on a pooled connection; <c>created_at</c> is the column's default, now().
/// </summary>
public sealed partial class PostgresProfileStore : ISavedFilterStore
{
    private RelationalSavedFilterStore SavedFilters => field ??= new(new RelationalSavedFilterDialect
    {
        ParameterMarker = "@",
        EnsureOpen = EnsureOpen,
        OpenReaderAsync = async cancellationToken => await OpenAsync(cancellationToken).ConfigureAwait(false),
        OpenWriterAsync = async cancellationToken => await OpenAsync(cancellationToken).ConfigureAwait(false),
        ReadCreatedAt = (reader, ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal),
    });

    public Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default) =>
        SavedFilters.CreateSavedFilterAsync(project, groupKey, name, where, cancellationToken);

    public Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default) =>
        SavedFilters.ListSavedFiltersAsync(project, cancellationToken);

    public Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default) =>
        SavedFilters.GetSavedFilterAsync(project, id, cancellationToken);

    public Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default) =>
        SavedFilters.DeleteSavedFilterAsync(project, id, cancellationToken);
}
