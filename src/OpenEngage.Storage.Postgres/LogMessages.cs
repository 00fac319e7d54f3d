using Microsoft.Extensions.Logging;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// Every log message of the PostgreSQL store. Event ids 1200–1299 belong to this assembly: 1200–1219
/// the store's lifecycle, 1220–1239 its writes. (1000–1099 are the storage core's, 1100–1199 the
/// embedded store's.)
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information,
        Message = "Profile store opened: PostgreSQL database {Database} on {Host}:{Port}")]
    public static partial void Opened(this ILogger logger, string database, string host, int port);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Applied schema migration {Version} ({Description}) to PostgreSQL database {Database} on {Host}")]
    public static partial void MigrationApplied(this ILogger logger, int version, string description, string database, string host);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information,
        Message = "Applying schema migration {Version} ({Description}) to PostgreSQL database {Database} on {Host}; on a large database this can take minutes, and the store opens once it is done")]
    public static partial void MigrationStarting(this ILogger logger, int version, string description, string database, string host);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Profile store closed: PostgreSQL database {Database} on {Host}")]
    public static partial void Closed(this ILogger logger, string database, string host);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Error,
        Message = "A commit of {RequestCount} batches ({UpdateCount} updates) to PostgreSQL database {Database} on {Host} failed; none of them was stored")]
    public static partial void GroupFailed(this ILogger logger, Exception exception, int requestCount, int updateCount, string database, string host);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Warning,
        Message = "PostgreSQL database {Database} on {Host} refused the data of a commit of {RequestCount} batches ({UpdateCount} updates): {Reason}; none of it was stored, and it is committed again in smaller groups to reject only the updates at fault")]
    public static partial void GroupRefused(this ILogger logger, int requestCount, int updateCount, string database, string host, string reason);

    [LoggerMessage(EventId = 1222, Level = LogLevel.Warning,
        Message = "PostgreSQL reported {SqlState} for a commit to database {Database} on {Host}; retrying (attempt {Attempt})")]
    public static partial void Retrying(this ILogger logger, string sqlState, int attempt, string database, string host);
}
