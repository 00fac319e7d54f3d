using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEngage.Projects;
using OpenEngage.Query;

namespace OpenEngage.Http.Webhooks;

/// <summary>Checks every webhook at start: an absolute http(s) URL, a secret, a configured project, a where that parses, distinct names.</summary>
/// <remarks>
/// The project directory is resolved only when a webhook names a project: without projects
/// configured it creates one in the data directory, which must not happen before the data
/// directory itself is checked.
/// </remarks>
public sealed class WebhookListValidation(IServiceProvider services) : IValidateOptions<WebhookList>
{
    public ValidateOptionsResult Validate(string? name, WebhookList options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            var at = $"{WebhookList.Section}:{i}";
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{at}:Url must be an absolute http or https URL.");
            }

            if (string.IsNullOrEmpty(webhook.Secret))
            {
                failures.Add($"{at}:Secret is required: every delivery is signed with it.");
            }

            if (ProjectId(webhook.Project) is null)
            {
                failures.Add($"{at}:Project must be the id or name of a configured project, not '{webhook.Project}'.");
            }

            if (!string.IsNullOrWhiteSpace(webhook.Where) && !WhereExpression.TryParse(webhook.Where, out _, out var error))
            {
                failures.Add($"{at}:Where does not parse: {error!.Message}");
            }

            if (!names.Add(webhook.EffectiveName))
            {
                failures.Add($"{at}: another webhook has the name '{webhook.EffectiveName}'; give each its own Name.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The stored id of the project a webhook names by id or name, or null.</summary>
    public string? ProjectId(string project)
    {
        var projects = services.GetRequiredService<ProjectDirectory>();
        return projects.Projects.FirstOrDefault(p => string.Equals(p.EffectiveId, project, StringComparison.Ordinal))?.EffectiveId
            ?? projects.Projects.FirstOrDefault(p => string.Equals(p.Name, project, StringComparison.Ordinal))?.EffectiveId;
    }
}
