using Npgsql;

namespace OpenEngage.Storage.Postgres;

/// <summary>Which failures of a group the group's own updates cause (see <see cref="CommitGroup"/>).</summary>
public sealed partial class PostgresProfileStore
{
    /// <summary>
    /// An error the server reports for the data, after which it rolled the transaction back: a data
    /// exception (class 22, e.g. a number <c>numeric</c> cannot hold), an integrity constraint
    /// (class 23: a CHECK or a unique key), a program limit (class 54, e.g. a <c>jsonb</c> value
    /// over 255 MB) or an exception raised by a trigger (class P0); or a profile the server cannot
    /// serialise. A lost connection, an unreachable server or a full disk are the store's.
    /// </summary>
    private static bool IsCausedByUpdates(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState[..2] is "22" or "23" or "54" or "P0",
        NpgsqlException => false,
        _ => ProfileDataFailure.Is(exception),
    };

    /// <summary>A refusal of the group's data is a warning (the group is isolated next); any other failure an error.</summary>
    private void LogCommitFailure(Exception exception, int requestCount, int updateCount)
    {
        if (IsCausedByUpdates(exception))
        {
            _logger.GroupRefused(requestCount, updateCount, Database, Host, exception.Message);
        }
        else
        {
            _logger.GroupFailed(exception, requestCount, updateCount, Database, Host);
        }
    }
}
