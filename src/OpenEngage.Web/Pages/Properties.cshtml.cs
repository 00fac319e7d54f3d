using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace OpenEngage.Web.Pages;

/// <summary>Every property of the project's profiles; for one property, its most frequent values.</summary>
public sealed class PropertiesModel(PropertyOverview overview) : UiPageModel
{
    public const int TopValues = 50;

    [BindProperty(SupportsGet = true, Name = "data_group_id")]
    public string? GroupKey { get; set; }

    [BindProperty(SupportsGet = true, Name = "name")]
    public string? Name { get; set; }

    public IReadOnlyList<PropertySummary> Properties { get; private set; } = [];

    public long Profiles { get; private set; }

    public PropertyValues? Values { get; private set; }

    public string Group => GroupKey ?? "";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        ViewData["Section"] = "properties";
        if (!string.IsNullOrEmpty(Name))
        {
            Values = await overview.ValuesAsync(Account.ProjectId, Group, Name, TopValues, cancellationToken);
        }
        else
        {
            (Properties, Profiles) = await overview.SummarizeAsync(Account.ProjectId, Group, cancellationToken);
        }
    }

    public string ValuesUrl(string name) => "/properties" + Microsoft.AspNetCore.Http.QueryString.Create(
        Group.Length == 0 ? [new("name", name)] : new KeyValuePair<string, string?>[] { new("data_group_id", Group), new("name", name) }).ToUriComponent();

    /// <summary>The list filtered to profiles having the property (or holding the value).</summary>
    public string ListUrl(string where) => new ListState { GroupKey = Group, Where = where }.Url();
}
