using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenEngage.Projects;

namespace OpenEngage.Http;

/// <summary>
/// HTTP Basic on the query API: a project's service account <c>username:secret</c>, or the project's
/// API secret as user name with an empty password. <c>project_id</c> picks the project when the
/// credentials can read several, and must be one of theirs when given.
/// </summary>
public static class QueryAuthentication
{
    /// <summary>The project the request may read; throws <see cref="WireError"/> 401, 403 or 400 otherwise.</summary>
    public static ProjectOptions Authenticate(HttpRequest request, string? projectId, ProjectDirectory projects) =>
        Select(AllowedProjects(request, projects), projectId);

    /// <summary>
    /// The projects the request's credentials may read, from its headers alone (so before any body
    /// is read); throws <see cref="WireError"/> 401 when there are none.
    /// </summary>
    public static IReadOnlyList<ProjectOptions> AllowedProjects(HttpRequest request, ProjectDirectory projects)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(projects);
        if (Credentials(request.Headers.Authorization.ToString()) is not var (user, password))
        {
            throw new WireError(401, "authentication required: HTTP Basic with a service account (username:secret) or the project's API secret as user name and an empty password");
        }

        var allowed = ProjectsFor(user, password, projects);
        return allowed.Count > 0 ? allowed : throw new WireError(401, "invalid credentials");
    }

    /// <summary>The project <paramref name="projectId"/> names among <paramref name="allowed"/>, or the only one; 403 or 400 otherwise.</summary>
    public static ProjectOptions Select(IReadOnlyList<ProjectOptions> allowed, string? projectId)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!string.IsNullOrEmpty(projectId))
        {
            return allowed.FirstOrDefault(project => string.Equals(project.EffectiveId, projectId, StringComparison.Ordinal))
                ?? throw new WireError(403, $"these credentials may not read project {projectId}");
        }

        return allowed.Count == 1
            ? allowed[0]
            : throw new WireError(400, "project_id is required: these credentials may read several projects");
    }

    /// <summary>
    /// The projects these credentials may read: the project whose API secret is <paramref name="user"/>
    /// when <paramref name="password"/> is empty, else every project with a service account
    /// <paramref name="user"/>:<paramref name="password"/>. Empty when they open none.
    /// </summary>
    public static List<ProjectOptions> ProjectsFor(string user, string password, ProjectDirectory projects)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(projects);
        if (password.Length == 0)
        {
            return user.Length > 0 && projects.FindBySecret(user) is { } project ? [project] : [];
        }

        var givenUser = Encoding.UTF8.GetBytes(user);
        var givenSecret = Encoding.UTF8.GetBytes(password);
        var allowed = new List<ProjectOptions>();
        foreach (var project in projects.Projects)
        {
            var match = false;
            foreach (var account in project.ServiceAccounts)
            {
                // Constant time per account, so timing tells nothing about how much of a secret matched.
                match |= account.Username.Length > 0 && account.Secret.Length > 0
                    & CryptographicOperations.FixedTimeEquals(givenUser, Encoding.UTF8.GetBytes(account.Username))
                    & CryptographicOperations.FixedTimeEquals(givenSecret, Encoding.UTF8.GetBytes(account.Secret));
            }

            if (match)
            {
                allowed.Add(project);
            }
        }

        return allowed;
    }

    /// <summary>The user name and password of an HTTP Basic <c>Authorization</c> header; null when it is not one.</summary>
    internal static (string User, string Password)? Credentials(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (credentials, "") : (credentials[..colon], credentials[(colon + 1)..]);
    }
}
