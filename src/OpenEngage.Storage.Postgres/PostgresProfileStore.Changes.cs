using Npgsql;
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

    private static NpgsqlBatchCommand LatestTimesCommand(string[] projects, string[] groupKeys, string[] ids)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT k.project, k.group_key, k.id, h.latest
            FROM unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
            CROSS JOIN LATERAL (
                SELECT max(time) AS latest FROM profile_history h
                WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id) AS h
            WHERE h.latest IS NOT NULL;
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        return command;
    }

    private async Task ReadLatestTimesAsync(NpgsqlDataReader reader)
    {
        if (!await reader.NextResultAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException("PostgreSQL returned no latest times result.");
        }

        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            _working.SetLatest(new ProfileKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)), reader.GetInt64(3));
        }
    }

    /// <summary>
    /// A profile's log records after <paramref name="after"/> (and not after <paramref name="upTo"/>),
    /// in the order they were applied, read in the group's transaction, which holds the profile's lock.
    /// </summary>
    private List<LoggedRecord> LoadNewer(ProfileKey key, long after, long? upTo)
    {
        var transaction = _transaction ?? throw new InvalidOperationException("The record log is read only while a group is applied.");
        using var command = new NpgsqlCommand("""
            SELECT time, received, source, credential, kind, changes::text, record_json FROM profile_history
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
    /// Adds the record-log writes of a group to its write batch: first the stored rows that late
    /// records re-folded are deleted, then every profile's rows are inserted in time order.
    /// </summary>
    private static void AddLogs(NpgsqlBatch write, List<WorkingProfile> logs)
    {
        var rewritten = logs.Where(p => p.RewriteAfter is not null).ToList();
        if (rewritten.Count > 0)
        {
            var (projects, groupKeys, ids) = Columns(rewritten.Select(p => p.Key));
            var delete = new NpgsqlBatchCommand("""
                DELETE FROM profile_history h
                USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, after)
                WHERE h.project = k.project AND h.group_key = k.group_key AND h.id = k.id AND h.time > k.after;
                """);
            delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
            delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
            delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            delete.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rewritten.Select(p => p.RewriteAfter!.Value)] });
            write.BatchCommands.Add(delete);
        }

        var n = logs.Sum(p => p.Log.Count);
        if (n == 0)
        {
            return;
        }

        var rowProjects = new string[n];
        var rowGroupKeys = new string[n];
        var rowIds = new string[n];
        var times = new long[n];
        var received = new long[n];
        var sources = new string[n];
        var credentials = new string[n];
        var kinds = new string[n];
        var changes = new string[n];
        var records = new string[n];
        var i = 0;
        foreach (var profile in logs)
        {
            foreach (var record in profile.Log)
            {
                var update = record.Update;
                rowProjects[i] = profile.Key.Project;
                rowGroupKeys[i] = profile.Key.GroupKey;
                rowIds[i] = profile.Key.Id;
                times[i] = record.TimeMs;
                received[i] = (update.ReceivedAt ?? update.Time).ToUnixTimeMilliseconds();
                sources[i] = update.Source;
                credentials[i] = update.Credential;
                kinds[i] = record.Diff.KindName;
                changes[i] = record.Diff.ToJson();
                records[i] = ProfileUpdateJson.Serialize(update);
                i++;
            }
        }

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
            SELECT k.project, k.group_key, k.id, k.time, k.received, k.source, k.credential, k.kind, k.changes::jsonb, k.record_json
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                WITH ORDINALITY AS k(project, group_key, id, time, received, source, credential, kind, changes, record_json, n)
            ORDER BY k.n;
            """);
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rowProjects });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rowGroupKeys });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rowIds });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = times });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = received });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sources });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = credentials });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changes });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records });
        write.BatchCommands.Add(insert);
    }

    /// <summary>
    /// Adds the inserts of a group's changes (in apply order, so <c>seq</c> follows it) to the
    /// batch that writes its profiles: one set-based statement per table.
    /// </summary>
    private static void AddChanges(NpgsqlBatch write, IReadOnlyList<ProfileChange> changes)
    {
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
