using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
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

        builder.Services.Configure<IngestionLimitsOptions>(configuration.GetSection(IngestionLimitsOptions.Section));
        builder.Services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.Section));
        builder.Services.PostConfigure<StorageOptions>(options => options.Path = Path.GetFullPath(options.Path));
        builder.Services.Configure<GeolocationOptions>(configuration.GetSection("Geolocation"));
        builder.Services.Configure<NetworkOptions>(configuration.GetSection(NetworkOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);

        var limits = configuration.GetSection(IngestionLimitsOptions.Section).Get<IngestionLimitsOptions>() ?? new IngestionLimitsOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // GET requests carry whole records in the URL, percent-encoded base64 or JSON: room for
            // the largest record three times over.
            kestrel.Limits.MaxRequestLineSize = (limits.MaxRecordBytes * 3) + (64 * 1024);
            kestrel.Limits.MaxRequestHeadersTotalSize = kestrel.Limits.MaxRequestLineSize + (64 * 1024);
            kestrel.Limits.MaxRequestBufferSize = kestrel.Limits.MaxRequestHeadersTotalSize;
            // The body limit is enforced while reading, after Content-Encoding is undone.
            kestrel.Limits.MaxRequestBodySize = null;
        });

        var profileLimits = configuration.GetSection("Limits").Get<ProfileLimits>() ?? ProfileLimits.Default;
        builder.Services.AddSingleton(profileLimits);
        builder.Services.AddSingleton(new ProfileEngine(profileLimits));
        builder.Services.AddSingleton(new RecordReader(profileLimits));
        builder.Services.AddSingleton(ProjectsFrom);
        builder.Services.AddSingleton(services =>
            GeoLocatorFactory.Create(
                services.GetRequiredService<IOptions<GeolocationOptions>>().Value.Database,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage.Geolocation")));
        builder.Services.AddSingleton<IProfileStore>(CreateStore);
        builder.Services.AddSingleton<IngestPipeline>();
        builder.Services.AddOpenEngageWeb();

        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(_ => true)
            .AllowCredentials()
            .AllowAnyHeader()
            .WithMethods("GET", "POST")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>()?.TrustedProxies ?? [])
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.UseMiddleware<PathFragmentMiddleware>();
        app.UseRouting();
        app.UseCors();
        app.MapIngestion();
        app.MapQuery();
        if (configuration.GetValue<bool>("Benchmark:CeilingEndpoint")) { app.MapCeiling(); }
        app.MapOpenEngageWeb();
        return app;
    }

    /// <summary>Starts the store and reports the configuration the server runs with.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEngage");
        await app.Services.GetRequiredService<IProfileStore>().InitializeAsync(cancellationToken);
        app.Services.GetRequiredService<IGeoLocator>();
        foreach (var project in app.Services.GetRequiredService<ProjectDirectory>().Projects)
        {
            LogProject(logger, project.Name, project.EffectiveId);
        }

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
            LogDefaultProject(logger, created ? "Created" : "Using", project.Name, project.Token, project.ApiSecret, Path.Combine(dataDirectory, DefaultProject.FileName));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "No project is configured. {Action} the project '{Name}' kept in {File}: token {Token}, API secret {Secret}. Configure Projects to use your own.")]
    private static partial void LogDefaultProject(ILogger logger, string action, string name, string token, string secret, string file);
}
