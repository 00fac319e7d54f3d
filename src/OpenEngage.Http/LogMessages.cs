using Microsoft.Extensions.Logging;

namespace OpenEngage.Http;

/// <summary>
/// The log messages of the HTTP edge. Event ids 2000–2999 belong to the HTTP edge (the ranges of
/// all assemblies are listed in <c>docs/operations.md</c>); 2000–2099 are ingestion's.
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "The connection ended before the request body was complete; nothing of it was applied")]
    internal static partial void BodyLost(ILogger logger, Exception error);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Storing an ingestion batch failed")]
    internal static partial void StoreFailure(ILogger logger, Exception error);
}
