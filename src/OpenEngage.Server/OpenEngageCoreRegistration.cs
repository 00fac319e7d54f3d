using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Geolocation;
using OpenEngage.Ingestion;
using OpenEngage.Projects;

namespace OpenEngage.Server;

/// <summary>
/// What the server and the command-line verbs share: the store, the ingestion pipeline, geolocation
/// and the projects, every option bound once and validated at start. No Kestrel, no routes.
/// </summary>
public static class OpenEngageCoreRegistration
{
    /// <summary>
    /// Registers the core services. <see cref="ProjectDirectory"/> is registered only when the caller
    /// has not: the server's creates the default project on first start, a verb's never does.
    /// </summary>
    public static IHostApplicationBuilder AddOpenEngageCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.LogToStandardError(builder.Configuration);
        builder.AddOpenEngageStorage();
        builder.Services.AddOpenEngageIngestion();
        builder.Services.AddOpenEngageGeolocation();
        builder.Services.TryAddSingleton(ProjectsFrom);
        return builder;
    }

    /// <summary>The configured projects, or the one kept in the data directory, created on first start.</summary>
    private static ProjectDirectory ProjectsFrom(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var projects = configuration.GetSection("Projects").Get<List<ProjectOptions>>() ?? [];
        if (projects.Count == 0)
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage");
            var dataDirectory = services.GetRequiredService<IOptions<StorageOptions>>().Value.Path;
            var project = DefaultProject.LoadOrCreate(dataDirectory, out var created);
            var file = Path.Combine(dataDirectory, DefaultProject.FileName);
            if (created)
            {
                LogMessages.DefaultProjectCreated(logger, project.Name, file, project.Token, project.ApiSecret);
            }
            else
            {
                LogMessages.DefaultProjectUsed(logger, project.Name, file, project.Token);
            }

            projects.Add(project);
        }

        return new ProjectDirectory(projects);
    }
}
