using Microsoft.Extensions.Logging.Console;

namespace OpenEngage.Server;

/// <summary>
/// Console logs go to standard error, so standard output carries only what a command produces
/// (an export's data). <c>Logging:Console:LogToStandardErrorThreshold</c> still decides when set.
/// </summary>
public static class StandardErrorLogging
{
    /// <summary>
    /// The host's own category logs a failed start (a port in use) with its stack trace before the
    /// exception reaches the command line, which reports it in one line; its critical messages (a
    /// background service stopping the host) still show.
    /// </summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static IServiceCollection LogToStandardError(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LoggerFilterOptions>(options => options.Rules.Add(new LoggerFilterRule(null, HostCategory, LogLevel.Critical, null)));

        // Logging:Console:FormatterName is the console logger's setting; FormatName is accepted as its alias.
        if (configuration["Logging:Console:FormatName"] is { Length: > 0 } format)
        {
            services.PostConfigure<ConsoleLoggerOptions>(options => options.FormatterName ??= format);
        }

        return services.Configure<ConsoleLoggerOptions>(options =>
            options.LogToStandardErrorThreshold = configuration.GetValue("Logging:Console:LogToStandardErrorThreshold", LogLevel.Trace));
    }
}
