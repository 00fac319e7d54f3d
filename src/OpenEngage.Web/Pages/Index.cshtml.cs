using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Web.Pages;

/// <summary>The list of profiles: quick search, filter builder, raw where, sorting, paging, columns and the actions on every match.</summary>
public sealed class IndexModel(ProfileBrowser browser, ISavedFilterStore savedFilters) : UiPageModel
{
    public ListState State { get; private set; } = new();

    public ProfilePage? Result { get; private set; }

    public IReadOnlyList<string> Columns { get; private set; } = [];

    /// <summary>Property names to offer in the builder and the column chooser: the columns and what the shown profiles hold.</summary>
    public IReadOnlyList<string> KnownProperties { get; private set; } = [];

    public string? BuilderError { get; private set; }

    public string? SaveError { get; private set; }

    public bool IsGroups => State.GroupKey.Length > 0;

    public long PageCount => Result is null ? 0 : Math.Max(1, (Result.Total + State.PageSize - 1) / State.PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        State = ListState.From(Request.Query);
        ViewData["Section"] = IsGroups ? "groups" : "users";

        if (Request.Query.ContainsKey("add_condition"))
        {
            try
            {
                if (State.WhereError is not null)
                {
                    throw new FormatException("Correct the where expression first.");
                }

                var where = FilterCondition.Append(State.Filter, Request.Query["property"], Request.Query["operator"], Request.Query["type"], Request.Query["value"], Request.Query["join"]);
                return Redirect((State with { Where = where, Page = 0 }).Url());
            }
            catch (FormatException error)
            {
                BuilderError = error.Message;
            }
        }

        if (Request.Query.ContainsKey("set_columns"))
        {
            var chosen = Request.Query["column"].Where(name => !string.IsNullOrEmpty(name)).Select(name => name!).ToList();
            var added = Request.Query["add_column"].ToString().Trim();
            if (added.Length > 0)
            {
                chosen.Add(added);
            }

            ListColumns.Remember(Response, State.GroupKey, chosen);
            return Redirect(State.Url());
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveFilterAsync(string? name, CancellationToken cancellationToken)
    {
        State = ListState.From(Request.Form);
        ViewData["Section"] = IsGroups ? "groups" : "users";
        if (string.IsNullOrWhiteSpace(name))
        {
            SaveError = "Give the filter a name.";
        }
        else if (State.WhereError is not null)
        {
            SaveError = "Correct the where expression first.";
        }
        else
        {
            var saved = await savedFilters.CreateSavedFilterAsync(Account.ProjectId, State.GroupKey, name.Trim(), State.Filter?.ToString() ?? "", cancellationToken);
            Notice = $"Saved the filter \"{saved.Name}\" (id {saved.Id}).";
            return Redirect(State.Url());
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>The state after a click on the header of <paramref name="column"/> (null: the profile column, distinct id order).</summary>
    public ListState SortedBy(string? column) => column is null
        ? State with { SortProperty = null, Descending = false, Page = 0 }
        : State with { SortProperty = column, Descending = State.SortProperty == column && !State.Descending, Page = 0 };

    public string? AriaSort(string? column) =>
        column == State.SortProperty ? (column is null || !State.Descending ? "ascending" : "descending") : null;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Columns = ListColumns.From(Request, State.GroupKey);
        if (browser.AsOfProblem(State) is { } problem)
        {
            State = State with { AsOf = null, ParameterError = problem };
        }

        if (State.WhereError is null)
        {
            Result = await browser.PageAsync(Account.ProjectId, State, cancellationToken);
        }

        KnownProperties = [.. Columns
            .Concat(Result?.Profiles.SelectMany(profile => profile.Properties.Select(property => property.Key)) ?? [])
            .Concat(ListColumns.UserDefaults)
            .Append("$name")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }
}
