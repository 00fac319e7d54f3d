using System.Data.Common;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// Reads the rows of <c>profile_history</c> the same way on every relational store; each method
/// names the columns its query selects, in order.
/// </summary>
public static class HistoryRows
{
    /// <summary>One row of <c>time, received, source, credential, kind, changes</c>.</summary>
    public static HistoryRecord Record(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new HistoryRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), ProfileDiff.Parse(reader.GetString(4), reader.GetString(5)));
    }

    /// <summary>One row of <c>id, kind, changes</c>.</summary>
    public static LoggedDiff Diff(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new LoggedDiff(reader.GetString(0), ProfileDiff.Parse(reader.GetString(1), reader.GetString(2)));
    }

    /// <summary>
    /// Every row of <c>time, received, source, credential, kind, changes, record_json</c> of one
    /// profile's log, as records that can be applied again.
    /// </summary>
    public static List<LoggedRecord> LoggedRecords(DbDataReader reader, ProfileKey key)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var records = new List<LoggedRecord>();
        while (reader.Read())
        {
            var update = ProfileUpdateJson.Deserialize(reader.GetString(6), key) with
            {
                ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                Source = reader.GetString(2),
                Credential = reader.GetString(3),
            };
            records.Add(new LoggedRecord(update, ProfileDiff.Parse(reader.GetString(4), reader.GetString(5))));
        }

        return records;
    }
}
