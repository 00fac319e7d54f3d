using OpenEngage.Projects;
using OpenEngage.Storage;

namespace OpenEngage.Server;

/// <summary>
/// Warns at start-up about profiles stored under a project id that no configured project has:
/// no token writes to them and no secret reads them (typically the trial's <c>default</c> project
/// after projects were configured).
/// </summary>
internal static class UnservedProjects
{
    public static async Task WarnAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IProfileStore>() is not IProjectInventory inventory)
        {
            return;
        }

        var configured = services.GetRequiredService<ProjectDirectory>().Projects;
        var served = configured.Select(project => project.EffectiveId).ToHashSet(StringComparer.Ordinal);
        var key = configured.Count == 1 ? "Projects:0:Id" : "Projects:N:Id";
        foreach (var id in await inventory.ProjectIdsAsync(cancellationToken))
        {
            if (!served.Contains(id))
            {
                LogMessages.UnservedProject(logger, id, key);
            }
        }
    }
}
