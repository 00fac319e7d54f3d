using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>
/// Maps the profile browser at <c>/</c>: the pages, their stylesheet and script, the CSV export and the
/// progress of bulk changes. They are the server's web page, not its API, so the OpenAPI document
/// leaves them out.
/// </summary>
public static class OpenEngageWebEndpoints
{
    public static WebApplication MapOpenEngageWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages().ExcludeFromDescription();
        app.MapUiAssets();
        app.MapGet("/export.csv", CsvExport.WriteAsync).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/ui/jobs/{id}", (string id, HttpContext context) =>
        {
            var account = UiAccount.From(context.User, context.RequestServices.GetRequiredService<ProjectDirectory>());
            var job = account is null ? null : context.RequestServices.GetRequiredService<BulkJobs>().Find(id, account.ProjectId);
            return job is null
                ? Results.NotFound()
                : Results.Json(new { state = job.State, total = job.Total, done = job.Done, failed = job.Failed, message = job.Message });
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }
}
