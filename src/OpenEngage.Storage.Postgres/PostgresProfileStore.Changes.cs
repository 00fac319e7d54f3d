using Npgsql;

namespace OpenEngage.Storage.Postgres;

/// <summary>The change log and the property history, written in the transaction of the profiles they describe.</summary>
public sealed partial class PostgresProfileStore
{
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
        var histories = new string[n];
        var times = new long[n];
        var received = new long[n];
        var sources = new string[n];
        var credentials = new string[n];
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
            histories[i] = text.History;
            times[i] = change.TimeMs;
            received[i] = change.ReceivedMs;
            sources[i] = change.Update.Source;
            credentials[i] = change.Update.Credential;
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

        var insertHistory = new NpgsqlBatchCommand("""
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, changes)
            SELECT k.project, k.group_key, k.id, k.time, k.received, k.source, k.credential, k.changes::jsonb
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[])
                WITH ORDINALITY AS k(project, group_key, id, time, received, source, credential, changes, n)
            ORDER BY k.n;
            """);
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        insertHistory.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = times });
        insertHistory.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = received });
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sources });
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = credentials });
        insertHistory.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = histories });
        write.BatchCommands.Add(insertHistory);
    }
}
