using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Ingestion.Identity;

/// <summary>
/// Checks at start that every <c>Projects:N:IdentityMode</c> names a mode (<c>simplified</c> or
/// <c>original</c>), so a typo stops the server instead of failing the first request that reads the projects.
/// </summary>
public sealed class IdentityModeValidation(IConfiguration configuration) : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        var failures = new List<string>();
        foreach (var project in configuration.GetSection("Projects").GetChildren())
        {
            var mode = project["IdentityMode"];
            if (mode is not null && !(Enum.TryParse<IdentityMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(mode, out _)))
            {
                failures.Add($"Projects:{project.Key}:IdentityMode is '{mode}'; use 'simplified' or 'original'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
