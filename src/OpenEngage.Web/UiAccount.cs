using System.Security.Claims;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>Who is signed in, on which project, and whether they may change anything.</summary>
public sealed record UiAccount(string UserName, ProjectOptions Project, string Role, IReadOnlyList<(string ProjectId, string Role)> Allowed)
{
    public bool CanWrite => Role == UiClaims.OwnerRole;

    public string ProjectId => Project.EffectiveId;

    /// <summary>The account of a signed-in principal; null when it is not signed in or its project is no longer configured.</summary>
    public static UiAccount? From(ClaimsPrincipal user, ProjectDirectory projects)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(projects);
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(UiClaims.Project) is not { } projectId)
        {
            return null;
        }

        var allowed = user.FindAll(UiClaims.Allowed)
            .Select(claim => claim.Value.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => (ProjectId: parts[1], Role: parts[0]))
            .ToList();
        var project = projects.Projects.FirstOrDefault(p => p.EffectiveId == projectId);
        var role = allowed.FirstOrDefault(a => a.ProjectId == projectId).Role;
        return project is null || role is null ? null : new UiAccount(user.Identity.Name ?? "", project, role, allowed);
    }
}
