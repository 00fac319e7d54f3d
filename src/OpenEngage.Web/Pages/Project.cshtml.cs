using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OpenEngage.Projects;

namespace OpenEngage.Web.Pages;

/// <summary>Switches the session between the projects its credentials opened at sign-in.</summary>
public sealed class ProjectModel(ProjectDirectory projects) : UiPageModel
{
    protected override bool ReadersMayPost => true;

    public string ReturnUrl { get; private set; } = "/";

    public IReadOnlyList<(ProjectOptions Project, string Role)> Choices { get; private set; } = [];

    public void OnGet(string? returnUrl)
    {
        ReturnUrl = !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
        Choices = [.. Account.Allowed
            .Select(a => (Project: projects.Projects.FirstOrDefault(p => p.EffectiveId == a.ProjectId), a.Role))
            .Where(a => a.Project is not null)
            .Select(a => (a.Project!, a.Role))];
    }

    public async Task<IActionResult> OnPostAsync(string projectId, string? returnUrl)
    {
        if (!Account.Allowed.Any(a => a.ProjectId == projectId))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        await UiSignIn.SignInAsync(HttpContext, Account.UserName, projectId, Account.Allowed);
        return LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
