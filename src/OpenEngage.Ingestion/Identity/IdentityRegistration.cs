using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Storage;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Ingestion.Identity;

/// <summary>Registers the identity map (the profile store's <see cref="IIdentityStore"/>), its resolution cache and the event pipeline.</summary>
public static class IdentityRegistration
{
    public static IServiceCollection AddOpenEngageIdentity(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityOptions>, IdentityModeValidation>());
        services.TryAddSingleton<IIdentityStore>(provider => provider.GetRequiredService<IProfileStore>() as IIdentityStore
            ?? throw new InvalidOperationException("The configured profile store keeps no identity map."));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IdentityResolver>();
        services.TryAddSingleton<EventPipeline>();
        services.TryAddSingleton<Privacy.PrivacyService>();
        return services;
    }
}
