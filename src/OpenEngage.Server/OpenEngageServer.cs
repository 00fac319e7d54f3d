using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Geolocation;
using OpenEngage.Http;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;
using OpenEngage.Storage;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;
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
        var configuration = builder.Configuration;

        builder.Services.AddOpenEngageOptions();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DataDirectoryLease>();
        builder.Services.LogToStandardError(configuration);

        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestionLimitsOptions>>((kestrel, ingestion) =>
        {
            var limits = ingestion.Value;
            // GET requests carry whole records in the URL, percent-encoded base64 or JSON: room for
            // the largest record three times over.
            kestrel.Limits.MaxRequestLineSize = (limits.MaxRecordBytes * 3) + (64 * 1024);
            kestrel.Limits.MaxRequestHeadersTotalSize = kestrel.Limits.MaxRequestLineSize + (64 * 1024);
            kestrel.Limits.MaxRequestBufferSize = kestrel.Limits.MaxRequestHeadersTotalSize;
            // The body limit is enforced while reading, after Content-Encoding is undone.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.ApplyFullySentRequests();
        });

        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<ProfileLimits>>().Value);
        builder.Services.AddSingleton(services => new ProfileEngine(services.GetRequiredService<ProfileLimits>()));
        builder.Services.AddSingleton(services => new RecordReader(services.GetRequiredService<ProfileLimits>()));
        builder.Services.TryAddSingleton(ProjectsFrom);
        builder.Services.AddSingleton(services =>
            GeoLocatorFactory.Create(
                services.GetRequiredService<IOptions<GeolocationOptions>>().Value.Database,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage.Geolocation")));
        builder.Services.AddSingleton<IProfileStore>(CreateStore);
        builder.Services.AddSingleton<IngestPipeline>();
        builder.AddOpenEngageOperations();
        builder.Services.AddOpenEngageWeb();

        builder.Services.AddHttpEdge();

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((options, network) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in network.Value.TrustedProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });

        var app = builder.Build();
        app.UseHttpEdge();
        app.UseForwardedHeaders();
        app.UseMiddleware<PathFragmentMiddleware>();
        app.UseRouting();
        app.UseCors();
        app.MapIngestion();
        app.MapQuery();
        app.MapOpenEngageOperations();
        if (configuration.GetValue<bool>("Benchmark:CeilingEndpoint")) { app.MapCeiling(); }
        app.MapOpenEngageWeb();
        return app;
    }

    /// <summary>Starts the store and reports the configuration the server runs with.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage");
        await OpenStoreAsync(app.Services, exclusive: true, cancellationToken);
        app.Services.GetRequiredService<IGeoLocator>();
        foreach (var project in app.Services.GetRequiredService<ProjectDirectory>().Projects)
        {
            LogProject(logger, project.Name, project.EffectiveId);
        }

        await UnservedProjects.WarnAsync(app.Services, logger, cancellationToken);
        await app.StartAsync(cancellationToken);
    }

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
                LogDefaultProjectCreated(logger, project.Name, file, project.Token, project.ApiSecret);
            }
            else
            {
                LogDefaultProjectUsed(logger, project.Name, file, project.Token);
            }

            projects.Add(project);
        }

        return new ProjectDirectory(projects);
    }

    private static IProfileStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        return options.Provider.ToLowerInvariant() switch
        {
            "sqlite" => new SqliteProfileStore(
                new SqliteStoreOptions { Path = options.Path, ProfileCacheSize = options.ProfileCacheSize, QueryParallelism = options.QueryParallelism },
                services.GetRequiredService<ProfileEngine>(),
                services.GetRequiredService<ILogger<SqliteProfileStore>>()),
            "postgres" => new PostgresProfileStore(
                new PostgresStoreOptions { ConnectionString = options.ConnectionString },
                services.GetRequiredService<ProfileEngine>(),
                services.GetRequiredService<ILogger<PostgresProfileStore>>()),
            _ => throw new InvalidOperationException($"Unknown Storage:Provider '{options.Provider}'; use 'sqlite' or 'postgres'."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Project {Name} (id {Id}) is configured")]
    private static partial void LogProject(ILogger logger, string name, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No project is configured. Created the project '{Name}' kept in {File}: token {Token}, API secret {Secret} (shown this once; it stays in that file). Configure Projects to use your own.")]
    private static partial void LogDefaultProjectCreated(ILogger logger, string name, string file, string token, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No project is configured. Using the project '{Name}' kept in {File} (token {Token}; its API secret is in that file). Configure Projects to use your own.")]
    private static partial void LogDefaultProjectUsed(ILogger logger, string name, string file, string token);
}
