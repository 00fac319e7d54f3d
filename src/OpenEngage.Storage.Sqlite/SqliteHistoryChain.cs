namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The SQL that finds and walks a profile's history chain. Each <c>profile_history</c> row names the
/// profile's previous row in <c>prev</c>; the head, the <c>seq</c> of the newest row, is
/// <c>profiles.log_seq</c>, or <c>log_heads.log_seq</c> while the profile has no row (or its row was
/// written with history off). A walk stops at a row that is missing: retention purged it and
/// everything older.
/// </summary>
/// <remarks>
/// A chain is in insertion order. For a project ordered by time its rows' times never increase from
/// the head down; for one ordered by arrival they may, so the readers order the rows they collect
/// and only the late-record paths (time order only) stop a walk at the first row not newer than a time.
/// </remarks>
internal static class SqliteHistoryChain
{
    /// <summary>
    /// The rows of one profile's log after <c>$after</c> and not after <c>$up_to</c>, in the order
    /// they were applied, as <c>time, received, source, credential, kind, changes, record_json</c>.
    /// </summary>
    public static readonly string NewerSql = $"""
        WITH RECURSIVE chain(seq, prev, time) AS (
            SELECT seq, prev, time FROM profile_history WHERE seq = {Head("$project", "$group_key", "$id")} AND time > $after
            UNION ALL
            SELECT h.seq, h.prev, h.time FROM chain JOIN profile_history h ON h.seq = chain.prev WHERE h.time > $after
        )
        SELECT h.time, h.received, h.source, h.credential, h.kind, h.changes, h.record_json
        FROM chain JOIN profile_history h ON h.seq = chain.seq
        WHERE chain.time <= $up_to
        ORDER BY h.time, h.seq;
        """;

    /// <summary>
    /// One profile's history rows with a time from <c>$from</c> to <c>$to</c>, newest first, as
    /// <c>time, received, source, credential, kind, changes</c>.
    /// </summary>
    public static readonly string HistorySql = $"""
        WITH RECURSIVE {Walk("$project", "$group_key", "$id")}
        SELECT h.time, h.received, h.source, h.credential, h.kind, h.changes
        FROM chain JOIN profile_history h ON h.seq = chain.seq
        WHERE h.time >= $from AND h.time <= $to
        ORDER BY h.time DESC, h.seq DESC;
        """;

    /// <summary>Deletes one profile's history rows and its head (the profile row, if any, stays).</summary>
    public static readonly string RemoveSql = $"""
        WITH RECURSIVE {Walk("$project", "$group_key", "$id")}
        DELETE FROM profile_history WHERE seq IN (SELECT seq FROM chain);
        UPDATE profiles SET log_seq = NULL, log_time = NULL WHERE project = $project AND group_key = $group_key AND id = $id AND log_seq IS NOT NULL;
        DELETE FROM log_heads WHERE project = $project AND group_key = $group_key AND id = $id;
        """;

    /// <summary>
    /// Appends one row to a profile's chain and moves its head there, into the profile's row when it
    /// has one, else into <c>log_heads</c>; binds <c>$project, $group_key, $id, $time, $received,
    /// $source, $credential, $kind, $changes, $record, $feed</c> (<see cref="SqliteLogRowRole"/>).
    /// </summary>
    public static readonly string AppendSql = $"""
        INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json, prev, feed)
        VALUES ($project, $group_key, $id, $time, $received, $source, $credential, $kind, $changes, $record, {Head("$project", "$group_key", "$id")}, $feed);
        UPDATE profiles SET log_seq = last_insert_rowid(),
            log_time = max(coalesce(log_time, (SELECT log_time FROM log_heads WHERE project = $project AND group_key = $group_key AND id = $id), $time), $time)
            WHERE project = $project AND group_key = $group_key AND id = $id;
        INSERT INTO log_heads (project, group_key, id, log_seq, log_time)
            SELECT $project, $group_key, $id, last_insert_rowid(), $time
            WHERE NOT EXISTS (SELECT 1 FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id)
            ON CONFLICT (project, group_key, id) DO UPDATE SET log_seq = excluded.log_seq, log_time = max(log_heads.log_time, excluded.log_time);
        DELETE FROM log_heads WHERE project = $project AND group_key = $group_key AND id = $id
            AND EXISTS (SELECT 1 FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id);
        """;

    /// <summary>
    /// Moves the head of a profile's chain from its row into <c>log_heads</c>, before the row is
    /// deleted; binds <c>$project, $group_key, $id</c>.
    /// </summary>
    public static readonly string ParkSql = """
        INSERT INTO log_heads (project, group_key, id, log_seq, log_time)
            SELECT project, group_key, id, log_seq, log_time FROM profiles
            WHERE project = $project AND group_key = $group_key AND id = $id AND log_seq IS NOT NULL
            ON CONFLICT (project, group_key, id) DO UPDATE SET log_seq = excluded.log_seq, log_time = excluded.log_time;
        """;

    /// <summary>The <c>seq</c> of a profile's newest history row (NULL when it has none), given the SQL of its key's three parts.</summary>
    public static string Head(string project, string groupKey, string id) => $"""
        coalesce(
            (SELECT log_seq FROM profiles WHERE project = {project} AND group_key = {groupKey} AND id = {id}),
            (SELECT log_seq FROM log_heads WHERE project = {project} AND group_key = {groupKey} AND id = {id}))
        """;

    /// <summary>The recursive table <c>chain(seq, prev)</c> of every row of a profile's chain still stored, head first.</summary>
    private static string Walk(string project, string groupKey, string id) => $"""
        chain(seq, prev) AS (
            SELECT seq, prev FROM profile_history WHERE seq = {Head(project, groupKey, id)}
            UNION ALL
            SELECT h.seq, h.prev FROM chain JOIN profile_history h ON h.seq = chain.prev
        )
        """;
}
