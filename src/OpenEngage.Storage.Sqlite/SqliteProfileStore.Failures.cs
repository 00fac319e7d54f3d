using Microsoft.Data.Sqlite;

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
}
