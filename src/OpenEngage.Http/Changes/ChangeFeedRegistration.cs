using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenEngage.Http.Webhooks;

namespace OpenEngage.Http.Changes;

/// <summary>Registers the change feed's settings and webhook delivery (a hosted service).</summary>
public static class ChangeFeedRegistration
{
    public static IServiceCollection AddOpenEngageChangeFeed(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.MaxBackoff >= o.InitialBackoff, $"{WebhookDeliveryOptions.Section}:MaxBackoff must not be shorter than InitialBackoff.")
            .ValidateOnStart();
        services.AddOptions<WebhookList>()
            .Configure<IConfiguration>((list, configuration) => list.Webhooks = configuration.GetSection(WebhookList.Section).Get<List<WebhookOptions>>() ?? [])
            .ValidateOnStart();
        services.TryAddSingleton<WebhookListValidation>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookList>, WebhookListValidation>(provider => provider.GetRequiredService<WebhookListValidation>()));
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
