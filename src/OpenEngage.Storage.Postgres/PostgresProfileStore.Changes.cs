using Npgsql;
using NpgsqlTypes;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The change log and the record log (the property history), written in the transaction of the
/// profiles they describe, and read back when a late record arrives.
/// </summary>
public sealed partial class PostgresProfileStore
{
    /// <summary>The transaction of the group whose updates are being applied; the record log is read in it.</summary>
    private NpgsqlTransaction? _transaction;

    /// <summary>
    /// A profile's log records after <paramref name="after"/> (and not after <paramref name="upTo"/>),
    /// in the order they were applied, read in the group's transaction, which holds the profile's lock.
    /// </summary>
    private List<LoggedRecord> LoadNewer(ProfileKey key, long after, long? upTo)
    {
        var transaction = _transaction ?? throw new InvalidOperationException("The record log is read only while a group is applied.");
        using var command = new NpgsqlCommand("""
            SELECT time, received, source, credential, kind, changes, record_json FROM profile_history
            WHERE project = $1 AND group_key = $2 AND id = $3 AND time > $4 AND time <= $5
            ORDER BY time, seq;
            """, transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Project });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GroupKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Id });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo ?? long.MaxValue });
        using var reader = command.ExecuteReader();
        return HistoryRows.LoggedRecords(reader, key);
    }

    /// <summary>
    /// Adds what late records change in the stored log to a group's write batch: the stored rows
    /// after each re-folded profile's earliest late record are replaced by <see cref="CopyLogsAsync"/>'s
    /// rows, so they are deleted; those the change feed showed first move to <c>profile_changes</c>
    /// with their position, which a reader of the feed may already have passed.
    /// </summary>
    private static void AddLogRewrites(NpgsqlBatch write, List<WorkingProfile> rewritten)
    {
        if (rewritten.Count == 0)
        {
            return;
        }

        var keys = Columns(rewritten.Select(p => p.Key));
        long[] after = [.. rewritten.Select(p => p.RewriteAfter!.Value)];
        foreach (var sql in (string[])[
            """
            INSERT INTO profile_changes (xid, seq, project, group_key, id, kind, changed, removed, time, received, source)
            SELECT h.xid, h.seq, h.project, h.group_key, h.id, profile_feed_kind(h.kind), profile_feed_changed(h.kind, h.changes),
                   profile_feed_removed(h.kind, h.changes), h.time, h.received, h.source
            FROM profile_history h
            JOIN unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, after)
              ON h.project = k.project AND h.group_key = k.group_key AND h.id = k.id AND h.time > k.after
            WHERE h.feed;
            """,
            """
            DELETE FROM profile_history h
            USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, after)
            WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id AND h.time > k.after;
            """])
        {
            write.BatchCommands.Add(KeysCommand(sql, keys, after));
        }
    }

    /// <summary>
    /// The record-log rows of a group, every profile's in time order. A row is also the change
    /// feed's row of its update (<c>Feed</c>) when the update changed its profile in order; a
    /// re-folded profile's rows are history only, and its changes go to <c>profile_changes</c>
    /// (<see cref="AddChanges"/>).
    /// </summary>
    private static IEnumerable<(ProfileKey Key, LoggedRecord Record, bool Feed)> LogRows(List<WorkingProfile> logs)
    {
        foreach (var profile in logs)
        {
            var refolded = profile.RewriteAfter is not null;
            foreach (var record in profile.Log)
            {
                yield return (profile.Key, record, !refolded && record.Diff.Kind != ProfileDiffKind.None);
            }
        }
    }

    /// <summary>
    /// Adds the insert of a group's record-log rows (<see cref="LogRows"/>) to its write batch:
    /// for a group of few rows, where a <c>COPY</c>'s two round trips would cost more than it saves.
    /// </summary>
    private static void AddLogInserts(NpgsqlBatch write, List<WorkingProfile> logs, int count)
    {
        if (count == 0)
        {
            return;
        }

        var projects = new string[count];
        var groupKeys = new string[count];
        var ids = new string[count];
        var times = new long[count];
        var received = new long[count];
        var sources = new string[count];
        var credentials = new string[count];
        var kinds = new string[count];
        var changes = new string[count];
        var records = new string[count];
        var feed = new bool[count];
        var i = 0;
        foreach (var (key, record, isFeed) in LogRows(logs))
        {
            var update = record.Update;
            projects[i] = key.Project;
            groupKeys[i] = key.GroupKey;
            ids[i] = key.Id;
            times[i] = record.TimeMs;
            received[i] = update.ReceivedMs;
            sources[i] = update.Source;
            credentials[i] = update.Credential;
            kinds[i] = record.Diff.KindName;
            changes[i] = record.Diff.ToJson();
            records[i] = ProfileUpdateJson.Serialize(update);
            feed[i] = isFeed;
            i++;
        }

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json, feed)
            SELECT k.project, k.group_key, k.id, k.time, k.received, k.source, k.credential, k.kind, k.changes, k.record_json, k.feed
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[])
                WITH ORDINALITY AS k(project, group_key, id, time, received, source, credential, kind, changes, record_json, feed, n)
            ORDER BY k.n;
            """);
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = times });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = received });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sources });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = credentials });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changes });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records });
        insert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = feed });
        write.BatchCommands.Add(insert);
    }

    /// <summary>
    /// Writes a group's record-log rows (<see cref="LogRows"/>) with one binary <c>COPY</c>, their
    /// JSON texts written into a pooled arena: for a group of many rows, where the insert's arrays
    /// and its unnesting would cost more.
    /// </summary>
    private static async Task CopyLogsAsync(NpgsqlConnection connection, List<WorkingProfile> logs)
    {
        var arena = new Utf8TextArena();
        try
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json, feed) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false);
            foreach (var (key, record, feed) in LogRows(logs))
            {
                var update = record.Update;
                await copy.StartRowAsync().ConfigureAwait(false);
                await copy.WriteAsync(key.Project, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(key.GroupKey, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(key.Id, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(record.TimeMs, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await copy.WriteAsync(update.ReceivedMs, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await copy.WriteAsync(update.Source, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(update.Credential, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(record.Diff.KindName, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(record.Diff.ToUtf8Json(arena), NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(ProfileUpdateJson.SerializeToUtf8(update, arena), NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(feed, NpgsqlDbType.Boolean).ConfigureAwait(false);
            }

            await copy.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            arena.Release();
        }
    }

    /// <summary>
    /// Adds the changes of the group's re-folded profiles (in apply order, so <c>seq</c> follows
    /// it) to the batch that writes its profiles; every other change is said by its history row.
    /// </summary>
    private static void AddChanges(NpgsqlBatch write, IReadOnlyList<ProfileChange> all, List<WorkingProfile> rewritten)
    {
        if (rewritten.Count == 0)
        {
            return;
        }

        var refolded = rewritten.Select(p => p.Key).ToHashSet();
        var changes = all.Where(change => refolded.Contains(change.Key)).ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var n = changes.Count;
        var projects = new string[n];
        var groupKeys = new string[n];
        var ids = new string[n];
        var kinds = new string[n];
        var changed = new string[n];
        var removed = new string[n];
        var times = new long[n];
        var received = new long[n];
        var sources = new string[n];
        for (var i = 0; i < n; i++)
        {
            var change = changes[i];
            var text = ProfileChangeText.From(change);
            projects[i] = change.Key.Project;
            groupKeys[i] = change.Key.GroupKey;
            ids[i] = change.Key.Id;
            kinds[i] = text.Kind;
            changed[i] = text.Changed;
            removed[i] = text.Removed;
            times[i] = change.TimeMs;
            received[i] = change.ReceivedMs;
            sources[i] = change.Update.Source;
        }

        var insertChanges = new NpgsqlBatchCommand("""
            INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
            SELECT k.project, k.group_key, k.id, k.kind, k.changed::jsonb, k.removed::jsonb, k.time, k.received, k.source
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[])
                WITH ORDINALITY AS k(project, group_key, id, kind, changed, removed, time, received, source, n)
            ORDER BY k.n;
            """);
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changed });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = removed });
        insertChanges.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = times });
        insertChanges.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = received });
        insertChanges.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sources });
        write.BatchCommands.Add(insertChanges);
    }
}
