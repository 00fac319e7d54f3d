using System.Security.Cryptography;
using System.Text;

namespace OpenEngage.Projects;

/// <summary>The configured projects, looked up by token or by API secret.</summary>
public sealed class ProjectDirectory
{
    private readonly Dictionary<string, ProjectOptions> _byToken = new(StringComparer.Ordinal);
    private readonly List<ProjectOptions> _projects = [];

    public ProjectDirectory(IEnumerable<ProjectOptions> projects)
    {
        foreach (var project in projects)
        {
            if (string.IsNullOrWhiteSpace(project.Token))
            {
                throw new InvalidOperationException($"Project '{project.Name}' has no Token.");
            }

            if (string.IsNullOrWhiteSpace(project.EffectiveId))
            {
                throw new InvalidOperationException($"The project with token '{project.Token}' has neither Id nor Name.");
            }

            if (!string.Equals(project.Ordering, "time", StringComparison.OrdinalIgnoreCase) && !project.OrdersByArrival)
            {
                throw new InvalidOperationException($"Project '{project.Name}' has the Ordering '{project.Ordering}'; use 'time' or 'arrival'.");
            }

            foreach (var account in project.ServiceAccounts)
            {
                if (account.Role is not ("owner" or "reader"))
                {
                    throw new InvalidOperationException($"The service account '{account.Username}' of project '{project.Name}' has the Role '{account.Role}'; use 'owner' or 'reader'.");
                }
            }

            if (!_byToken.TryAdd(project.Token, project))
            {
                throw new InvalidOperationException($"Two projects share the token '{project.Token}'.");
            }

            _projects.Add(project);
        }
    }

    public IReadOnlyList<ProjectOptions> Projects => _projects;

    public ProjectOptions? FindByToken(string token) => _byToken.GetValueOrDefault(token);

    /// <summary>Finds the project whose API secret equals <paramref name="secret"/>, comparing in constant time.</summary>
    public ProjectOptions? FindBySecret(string secret)
    {
        var given = Encoding.UTF8.GetBytes(secret);
        ProjectOptions? found = null;
        foreach (var project in _projects)
        {
            if (project.ApiSecret.Length > 0
                && CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(project.ApiSecret)))
            {
                found = project;
            }
        }

        return found;
    }
}
