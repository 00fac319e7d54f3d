using System.Text;
using Microsoft.AspNetCore.Http;
using OpenEngage.Projects;

namespace OpenEngage.Http.Identity;

/// <summary>
/// Credentials that may change a project's data outside the SDK endpoints (<c>/import</c>, the
/// cluster API, privacy requests): the project's API secret (HTTP Basic user name with an empty
/// password, or <c>Authorization: Bearer</c>), or a service account whose role is <c>owner</c>.
/// </summary>
public static class OwnerAuthentication
{
    /// <summary>The projects the request's owner credentials open; throws <see cref="WireError"/> 401 when none.</summary>
    public static IReadOnlyList<ProjectOptions> OwnedProjects(HttpRequest request, ProjectDirectory projects, bool allowBearer = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(projects);
        var header = request.Headers.Authorization.ToString();
        if (allowBearer && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var secret = header["Bearer ".Length..].Trim();
            return secret.Length > 0 && projects.FindBySecret(secret) is { } project ? [project] : throw new WireError(401, "invalid credentials");
        }

        if (QueryAuthentication.Credentials(header) is not var (user, password))
        {
            throw new WireError(401, allowBearer
                ? "authentication required: Authorization: Bearer <API secret>, or HTTP Basic with an owner service account"
                : "authentication required: HTTP Basic with the project's API secret as user name (empty password) or an owner service account");
        }

        var allowed = QueryAuthentication.ProjectsFor(user, password, projects);
        if (password.Length > 0)
        {
            // Service accounts: only those whose role in the project is owner.
            allowed = [.. allowed.Where(project => project.ServiceAccounts.Any(account =>
                string.Equals(account.Username, user, StringComparison.Ordinal) && string.Equals(account.Role, "owner", StringComparison.OrdinalIgnoreCase)))];
        }

        return allowed.Count > 0 ? allowed : throw new WireError(401, "invalid credentials, or credentials without the owner role");
    }
}
