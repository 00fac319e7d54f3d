using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenEngage.Projects;

namespace OpenEngage.Web.Pages;

/// <summary>The sign-in form: API secret alone (the owner) or a service account's user name and secret.</summary>
public sealed class SignInModel(ProjectDirectory projects) : PageModel
{
    public string? Error { get; private set; }

    public string UserName { get; private set; } = "";

    public string ReturnUrl { get; private set; } = "/";

    public void OnGet(string? returnUrl) => ReturnUrl = SafeReturnUrl(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? username, string? secret, string? returnUrl)
    {
        ReturnUrl = SafeReturnUrl(returnUrl);
        UserName = username?.Trim() ?? "";
        var allowed = UiSignIn.Check(username, secret, projects);
        if (allowed.Count == 0)
        {
            Error = string.IsNullOrEmpty(secret) ? "Enter a secret." : "These credentials open no project: check the user name and secret.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await UiSignIn.SignInAsync(HttpContext, UserName, allowed[0].Project.EffectiveId, allowed.Select(a => (a.Project.EffectiveId, a.Role)));
        return LocalRedirect(allowed.Count > 1 ? "/project?returnUrl=" + Uri.EscapeDataString(ReturnUrl) : ReturnUrl);
    }

    /// <summary>Only a local path: never a redirect to another site.</summary>
    private string SafeReturnUrl(string? returnUrl) => !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
