namespace OpenEngage.Server;

/// <summary>
/// The log messages of the server and its command line. Event ids 4000–4999 belong to the server
/// (the ranges of all assemblies are listed in <c>docs/operations.md</c>).
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Project {Name} (id {Id}) is configured")]
    internal static partial void ProjectConfigured(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "No project is configured. Created the project '{Name}' kept in {File}: token {Token}, API secret {Secret} (shown this once; it stays in that file). Configure Projects to use your own.")]
    internal static partial void DefaultProjectCreated(ILogger logger, string name, string file, string token, string secret);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "No project is configured. Using the project '{Name}' kept in {File} (token {Token}; its API secret is in that file). Configure Projects to use your own.")]
    internal static partial void DefaultProjectUsed(ILogger logger, string name, string file, string token);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "The store holds profiles of project id '{Id}', which no configured project has: they are neither served nor updated. To keep them, give the project that owns them this id ({Key}={Id}); a project's data is stored under its Id, which defaults to its Name.")]
    internal static partial void UnservedProject(ILogger logger, string id, string key);
}
