using OpenEngage.Geolocation;
using OpenEngage.Http;
using OpenEngage.Profiles;

namespace OpenEngage.Server;

/// <summary>Every option of the server, bound once from configuration and validated at start-up.</summary>
public static class OpenEngageOptionsRegistration
{
    public static IServiceCollection AddOpenEngageOptions(this IServiceCollection services)
    {
        services.AddOptions<ProfileLimits>().BindConfiguration(ProfileLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .PostConfigure(options => options.Path = StorageOptions.ResolvePath(options.Path))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GeolocationOptions>().BindConfiguration(GeolocationOptions.SectionName).ValidateOnStart();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
