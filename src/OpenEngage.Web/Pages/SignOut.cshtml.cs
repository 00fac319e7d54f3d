using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace OpenEngage.Web.Pages;

/// <summary>Ends the session (POST only, with antiforgery).</summary>
public sealed class SignOutModel : UiPageModel
{
    protected override bool ReadersMayPost => true;

    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(UiClaims.Scheme);
        return Redirect("/signin");
    }
}
