using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>What the first stage hands to the second: the group's results and every profile it touched.</summary>
internal sealed class SqlitePreparedGroup(ApplyResult[][] results, SqlitePreparedRow[] rows, SqlitePreparedLogRow[] logRows, Utf8TextArena texts, long sequence, int requestCount, int updateCount)
{
    /// <summary>One array per batch of the group, in batch order, each holding one result per update.</summary>
    public ApplyResult[][] Results { get; } = results;

    public SqlitePreparedRow[] Rows { get; } = rows;

    /// <summary>Every log row of the group, profile after profile; each row of <see cref="Rows"/> says where its own are (<see cref="SqlitePreparedLog"/>).</summary>
    public SqlitePreparedLogRow[] LogRows { get; } = logRows;

    /// <summary>The JSON texts of the group's profile and log rows; released once the group is committed (<see cref="SqliteWriteStage.Committed"/>).</summary>
    public Utf8TextArena Texts { get; } = texts;

    /// <summary>The number of the group in preparation order.</summary>
    public long Sequence { get; } = sequence;

    public int RequestCount { get; } = requestCount;

    public int UpdateCount { get; } = updateCount;
}
