using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace OpenEngage.Web.Pages;

/// <summary>The progress of a bulk change, with a cancel button.</summary>
public sealed class JobModel(BulkJobs jobs) : UiPageModel
{
    public BulkJob? Job { get; private set; }

    public IActionResult OnGet(string id)
    {
        Job = jobs.Find(id, Account.ProjectId);
        if (Job is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }

    public IActionResult OnPostCancel(string id)
    {
        var job = jobs.Find(id, Account.ProjectId);
        if (job is null)
        {
            return NotFound();
        }

        job.Cancel();
        return Redirect("/jobs/" + id);
    }
}
