using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Storage.Sqlite;

/// <summary>Which failures of a group the group's own updates cause (see <see cref="GroupCommitQueue"/>).</summary>
public sealed partial class SqliteProfileStore
{
    private const int SqliteError = 1, SqliteTooBig = 18, SqliteConstraint = 19, SqliteMismatch = 20;

    /// <summary>
    /// A value too big, a constraint (a CHECK or a trigger), a type mismatch or JSON SQLite refuses
    /// is the data's doing, and SQLite rolled the transaction back; so is a profile the server
    /// cannot serialise. I/O errors, a full disk, a read-only or locked database are the store's.
    /// </summary>
    bool IPipelinedGroupCommit<PreparedWrites>.IsCausedByUpdates(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) switch
        {
            SqliteTooBig or SqliteConstraint or SqliteMismatch => true,
            SqliteError => sqlite.Message.Contains("JSON", StringComparison.Ordinal),
            _ => false,
        },
        _ => ProfileDataFailure.Is(exception),
    };

    /// <summary>A refusal of the group's data is a warning (the group is isolated next); any other failure an error.</summary>
    private void LogCommitFailure(Exception exception, int requestCount, int updateCount)
    {
        if (((IPipelinedGroupCommit<PreparedWrites>)this).IsCausedByUpdates(exception))
        {
            LogGroupRefused(requestCount, updateCount, DatabasePath, exception.Message);
        }
        else
        {
            LogGroupFailed(exception, requestCount, updateCount, DatabasePath);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning,
        Message = "SQLite refused the data of a commit of {RequestCount} batches ({UpdateCount} updates) to {DatabasePath}: {Reason}; none of it was stored, and it is committed again in smaller groups to reject only the updates at fault")]
    private partial void LogGroupRefused(int requestCount, int updateCount, string databasePath, string reason);
}
