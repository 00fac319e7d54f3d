using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>
/// The base of every signed-in page: resolves the <see cref="Account"/> before a handler runs, and
/// answers 403 to every POST of an account that may not write, unless the page allows readers to post.
/// </summary>
public abstract class UiPageModel : PageModel
{
    public UiAccount Account { get; private set; } = null!;

    /// <summary>True for pages whose POSTs change nothing in the store (choosing a project, signing out).</summary>
    protected virtual bool ReadersMayPost => false;

    /// <summary>A message from the previous request (after a redirect).</summary>
    [TempData]
    public string? Notice { get; set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var account = UiAccount.From(User, HttpContext.RequestServices.GetRequiredService<ProjectDirectory>());
        if (account is null)
        {
            // Signed in to a project that is no longer configured.
            await HttpContext.SignOutAsync(UiClaims.Scheme);
            context.Result = Redirect("/signin");
            return;
        }

        Account = account;
        if (HttpMethods.IsPost(Request.Method) && !account.CanWrite && !ReadersMayPost)
        {
            context.Result = new ObjectResult("This account may read profiles but not change them.") { StatusCode = StatusCodes.Status403Forbidden };
            return;
        }

        await next();
    }
}
