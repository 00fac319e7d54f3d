using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Storage.Relational;

/// <summary>Binds <see cref="HistoryOptions"/> once (section <c>History</c>), checked at start; every store registration calls it.</summary>
public static class HistoryRegistration
{
    public static IServiceCollection AddHistoryOptions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(HistoryRegistrationMarker)))
        {
            return services;
        }

        services.AddSingleton<HistoryRegistrationMarker>();
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section)
            .Validate(
                o => o.RetentionDays is >= 0 and <= HistoryOptions.MaxRetentionDays,
                $"{HistoryOptions.Section}:RetentionDays must be between 0 (history off) and {HistoryOptions.MaxRetentionDays}.")
            .ValidateOnStart();
        return services;
    }
}
