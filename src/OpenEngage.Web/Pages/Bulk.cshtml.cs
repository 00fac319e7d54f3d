using Microsoft.AspNetCore.Http;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace OpenEngage.Web.Pages;

/// <summary>A change for every profile the list matches: the count first, then a confirmed background job.</summary>
public sealed class BulkModel(ProfileBrowser browser, BulkJobs jobs) : UiPageModel
{
    public ListState State { get; private set; } = new();

    public long Count { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        State = ListState.From(Request.Query);
        return await ShowAsync(null, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(string? operation, string? property, string? type, string? value, string? confirm, CancellationToken cancellationToken)
    {
        State = ListState.From(Request.Form);
        if (State.WhereError is not null)
        {
            return await ShowAsync("Correct the where expression first.", cancellationToken);
        }

        JsonNode? parsed = null;
        try
        {
            if (operation is not ("set" or "unset" or "delete"))
            {
                throw new FormatException("Choose what to do.");
            }

            if (operation != "delete" && string.IsNullOrWhiteSpace(property))
            {
                throw new FormatException("Enter the property's name.");
            }

            if (operation == "set")
            {
                parsed = PropertyValueText.Parse(type ?? "string", value ?? "");
            }

            if (confirm != "yes")
            {
                throw new FormatException("Tick the box to confirm.");
            }
        }
        catch (FormatException error)
        {
            return await ShowAsync(error.Message, cancellationToken);
        }

        var job = jobs.Start(Account.Project, State, new BulkChange(operation!, property?.Trim(), parsed));
        return Redirect("/jobs/" + job.Id);
    }

    private async Task<IActionResult> ShowAsync(string? error, CancellationToken cancellationToken)
    {
        ViewData["Section"] = State.GroupKey.Length == 0 ? "users" : "groups";
        Error = error;
        if (error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        if (State.WhereError is null)
        {
            Count = await browser.CountAsync(Account.ProjectId, State, cancellationToken);
        }

        return Page();
    }
}
