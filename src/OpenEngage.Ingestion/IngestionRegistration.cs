using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Ingestion.Identity;
using OpenEngage.Profiles;
using OpenEngage.Projects;

namespace OpenEngage.Ingestion;

/// <summary>Registers the ingestion pipeline and the profile semantics it applies, with <see cref="ProfileLimits"/> bound once.</summary>
public static class IngestionRegistration
{
    /// <summary>
    /// Binds and validates the <c>Limits</c> section, and registers the <see cref="ProfileEngine"/>,
    /// the <see cref="RecordReader"/> and the <see cref="IngestPipeline"/>. The pipeline also needs an
    /// <see cref="Storage.IProfileStore"/>, an <see cref="Geolocation.IGeoLocator"/> and a
    /// <see cref="ProjectDirectory"/>, registered by their own assemblies and the host.
    /// </summary>
    public static IServiceCollection AddOpenEngageIngestion(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ProfileLimits>().BindConfiguration(ProfileLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<ProfileLimits>>().Value);
        services.TryAddSingleton(provider => new ProfileEngine(provider.GetRequiredService<ProfileLimits>()));
        services.TryAddSingleton(provider => new RecordReader(provider.GetRequiredService<ProfileLimits>()));
        services.TryAddSingleton<IngestPipeline>();
        services.AddOpenEngageIdentity();
        return services;
    }
}
