using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using OpenEngage.Http;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>
/// Checks sign-in credentials exactly as the query API checks HTTP Basic (<see cref="QueryAuthentication"/>):
/// the API secret alone is the project's owner; a service account's user name and secret have the
/// account's role on each project that lists it.
/// </summary>
public static class UiSignIn
{
    /// <summary>The projects and roles the credentials open, by project order; empty when they open none.</summary>
    public static IReadOnlyList<(ProjectOptions Project, string Role)> Check(string? userName, string? secret, ProjectDirectory projects)
    {
        ArgumentNullException.ThrowIfNull(projects);
        userName = userName?.Trim() ?? "";
        secret ??= "";
        if (secret.Length == 0)
        {
            return [];
        }

        if (userName.Length == 0)
        {
            return [.. QueryAuthentication.ProjectsFor(secret, "", projects).Select(project => (project, UiClaims.OwnerRole))];
        }

        return [.. QueryAuthentication.ProjectsFor(userName, secret, projects).Select(project => (project, RoleOf(project, userName, secret)))];
    }

    /// <summary>Issues the session cookie for <paramref name="projectId"/> among <paramref name="allowed"/>.</summary>
    public static Task SignInAsync(HttpContext context, string userName, string projectId, IEnumerable<(string ProjectId, string Role)> allowed)
    {
        ArgumentNullException.ThrowIfNull(context);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, userName),
            new(UiClaims.Project, projectId),
        };
        claims.AddRange(allowed.Select(a => new Claim(UiClaims.Allowed, $"{a.Role}:{a.ProjectId}")));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, UiClaims.Scheme));
        return context.SignInAsync(UiClaims.Scheme, principal, new AuthenticationProperties { IsPersistent = false });
    }

    private static string RoleOf(ProjectOptions project, string userName, string secret)
    {
        var account = project.ServiceAccounts.First(a =>
            string.Equals(a.Username, userName, StringComparison.Ordinal) && string.Equals(a.Secret, secret, StringComparison.Ordinal));
        return string.Equals(account.Role, UiClaims.ReaderRole, StringComparison.OrdinalIgnoreCase) ? UiClaims.ReaderRole : UiClaims.OwnerRole;
    }
}
