using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OpenEngage.Geolocation;
using OpenEngage.Http;
using OpenEngage.Http.Identity;
using OpenEngage.Http.Changes;
using OpenEngage.Projects;
using OpenEngage.Web;

namespace OpenEngage.Server;

/// <summary>Builds the OpenEngage web application from configuration: the server only composes.</summary>
public static partial class OpenEngageServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings ship beside the executable; relative data paths are relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);

        builder.AddOpenEngageCore();
        builder.Services.AddHttpEdge();
        builder.Services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>();
        builder.AddOpenEngageOperations();
        builder.Services.AddOpenEngageWeb();
        builder.Services.AddOpenEngageChangeFeed();
        builder.Services.AddHistoryApi();

        var app = builder.Build();
        app.UseHttpEdge();
        app.UseForwardedHeaders();
        app.UseMiddleware<PathFragmentMiddleware>();
        app.UseRouting();
        app.UseCors();
        app.MapIngestion();
        app.MapQuery();
        app.MapIdentityApis();
        app.MapOpenEngageChangeFeed();
        app.MapHistoryApi();
        app.MapOpenEngageOperations();
        app.MapOpenEngageWeb();
        return app;
    }

    /// <summary>Starts the store and reports the configuration the server runs with.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage");
        await OpenStoreAsync(app.Services, exclusive: true, cancellationToken);
        app.Services.GetRequiredService<IGeoLocator>();
        foreach (var project in app.Services.GetRequiredService<ProjectDirectory>().Projects)
        {
            LogMessages.ProjectConfigured(logger, project.Name, project.EffectiveId);
        }

        await UnservedProjects.WarnAsync(app.Services, logger, cancellationToken);
        await app.StartAsync(cancellationToken);
    }
}
