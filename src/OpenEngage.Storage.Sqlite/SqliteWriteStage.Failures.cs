using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>Which failures of a group the group's own updates cause (see <see cref="CommitGroup"/>).</summary>
internal sealed partial class SqliteWriteStage
{
    private const int SqliteError = 1, SqliteTooBig = 18, SqliteConstraint = 19, SqliteMismatch = 20;

    /// <summary>
    /// A value too big, a constraint (a CHECK or a trigger), a type mismatch or JSON SQLite refuses
    /// is the data's doing, and SQLite rolled the transaction back; so is a profile the server
    /// cannot serialise. I/O errors, a full disk, a read-only or locked database are the store's.
    /// </summary>
    public static bool IsCausedByUpdates(Exception exception) => exception switch
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
        if (IsCausedByUpdates(exception))
        {
            _logger.GroupRefused(requestCount, updateCount, DatabasePath, exception.Message);
        }
        else
        {
            _logger.GroupFailed(exception, requestCount, updateCount, DatabasePath);
        }
    }
}
