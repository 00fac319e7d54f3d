using Microsoft.Extensions.Logging;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Every log message of the embedded (SQLite) store. Event ids 1100–1199 belong to this assembly:
/// 1100–1119 the store's lifecycle, 1120–1139 its writes, 1140–1159 its queries. (1000–1099 are the
/// storage core's, 1200–1299 the PostgreSQL store's.)
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Profile store opened at {DatabasePath} (SQLite journal mode {JournalMode}, synchronous {Synchronous})")]
    public static partial void Opened(this ILogger logger, string databasePath, string journalMode, long synchronous);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Applied schema migration {Version} ({Description}) to {DatabasePath}")]
    public static partial void MigrationApplied(this ILogger logger, int version, string description, string databasePath);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
        Message = "Applying schema migration {Version} ({Description}) to {DatabasePath}; on a large database this can take minutes, and the store opens once it is done")]
    public static partial void MigrationStarting(this ILogger logger, int version, string description, string databasePath);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Profile store at {DatabasePath} closed")]
    public static partial void Closed(this ILogger logger, string databasePath);

    [LoggerMessage(EventId = 1120, Level = LogLevel.Error,
        Message = "A commit of {RequestCount} batches ({UpdateCount} updates) to {DatabasePath} failed; none of them was stored")]
    public static partial void GroupFailed(this ILogger logger, Exception exception, int requestCount, int updateCount, string databasePath);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Warning,
        Message = "SQLite refused the data of a commit of {RequestCount} batches ({UpdateCount} updates) to {DatabasePath}: {Reason}; none of it was stored, and it is committed again in smaller groups to reject only the updates at fault")]
    public static partial void GroupRefused(this ILogger logger, int requestCount, int updateCount, string databasePath, string reason);

    [LoggerMessage(EventId = 1140, Level = LogLevel.Warning, Message = "Finding where to split query scans failed; queries keep the previous split")]
    public static partial void SplitPointsFailed(this ILogger logger, Exception exception);
}
