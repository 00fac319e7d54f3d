using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Web.Pages;

/// <summary>The saved filters (cohorts) of the project with their member counts.</summary>
public sealed class FiltersModel(ISavedFilterStore savedFilters, ProfileBrowser browser) : UiPageModel
{
    public IReadOnlyList<(SavedFilter Filter, long? Members, string? Error)> Filters { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        ViewData["Section"] = "filters";
        var rows = new List<(SavedFilter, long?, string?)>();
        foreach (var filter in await savedFilters.ListSavedFiltersAsync(Account.ProjectId, cancellationToken))
        {
            var state = Open(filter);
            rows.Add(state.WhereError is { } error
                ? (filter, null, error.Message)
                : (filter, await browser.CountAsync(Account.ProjectId, state, cancellationToken), null));
        }

        Filters = rows;
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        Notice = await savedFilters.DeleteSavedFilterAsync(Account.ProjectId, id, cancellationToken)
            ? $"Deleted the saved filter {id}."
            : $"There is no saved filter {id}.";
        return Redirect("/filters");
    }

    public static ListState Open(SavedFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        WhereExpression.TryParse(filter.Where, out var parsed, out var error);
        return new ListState { Where = filter.Where, GroupKey = filter.GroupKey, Filter = filter.Where.Length == 0 ? null : parsed, WhereError = filter.Where.Length == 0 ? null : error };
    }
}
