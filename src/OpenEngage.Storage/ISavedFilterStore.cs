namespace OpenEngage.Storage;

/// <summary>
/// Saved filters (cohorts), kept in the same store as the profiles. Ids are positive integers,
/// unique in the store and never reused; every member is scoped to one project.
/// </summary>
public interface ISavedFilterStore
{
    /// <summary>Saves a filter and returns it with its new id. The caller has validated <paramref name="where"/>.</summary>
    Task<SavedFilter> CreateSavedFilterAsync(string project, string groupKey, string name, string where, CancellationToken cancellationToken = default);

    /// <summary>Every saved filter of <paramref name="project"/>, by id.</summary>
    Task<IReadOnlyList<SavedFilter>> ListSavedFiltersAsync(string project, CancellationToken cancellationToken = default);

    /// <summary>The saved filter <paramref name="id"/> of <paramref name="project"/>, or null.</summary>
    Task<SavedFilter?> GetSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the saved filter; false when <paramref name="project"/> has none with this id.</summary>
    Task<bool> DeleteSavedFilterAsync(string project, long id, CancellationToken cancellationToken = default);
}
