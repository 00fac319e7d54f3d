using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OpenEngage.Storage;

namespace OpenEngage.Web.Pages;

/// <summary>Opens the group profiles of a group key.</summary>
public sealed class GroupsModel(ISavedFilterStore savedFilters) : UiPageModel
{
    /// <summary>Group keys that saved filters mention, as suggestions.</summary>
    public IReadOnlyList<string> KnownKeys { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? key, CancellationToken cancellationToken)
    {
        ViewData["Section"] = "groups";
        if (!string.IsNullOrWhiteSpace(key))
        {
            return Redirect(new ListState { GroupKey = key.Trim() }.Url());
        }

        KnownKeys = [.. (await savedFilters.ListSavedFiltersAsync(Account.ProjectId, cancellationToken))
            .Select(filter => filter.GroupKey).Where(groupKey => groupKey.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return Page();
    }
}
