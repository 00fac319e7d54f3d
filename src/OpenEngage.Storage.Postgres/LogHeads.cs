using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The newest logged times a group writes besides its upserts (which carry their profile's in
/// <c>profiles.log_time</c>): for a stored profile its records left unchanged, into its row; for a
/// profile that ends the group with history and no row (deleted, or only records that changed
/// nothing), into <c>log_heads</c>.
/// </summary>
internal sealed class LogHeads
{
    private readonly List<(ProfileKey Key, long Latest)> _rows = [];
    private readonly List<(ProfileKey Key, long Latest)> _heads = [];

    /// <summary>Adds a profile the group logged records of and does not upsert.</summary>
    public void Add(WorkingProfile profile)
    {
        if (profile.Latest == long.MinValue)
        {
            return;
        }

        (profile.Current is null ? _heads : _rows).Add((profile.Key, profile.Latest));
    }

    /// <summary>Adds the writes to the group's write batch (after its deletes of profiles, so a deleted profile's time is kept in <c>log_heads</c>).</summary>
    public void AddWrites(NpgsqlBatch write)
    {
        Add(write, _rows, """
            UPDATE profiles p SET log_time = k.log_time
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, log_time)
            WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
            """);
        Add(write, _heads, """
            INSERT INTO log_heads (project, group_key, id, log_time)
            SELECT k.project, k.group_key, k.id, k.log_time
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, log_time)
            ON CONFLICT (project, group_key, id) DO UPDATE SET log_time = excluded.log_time;
            """);
    }

    private static void Add(NpgsqlBatch write, List<(ProfileKey Key, long Latest)> rows, string sql)
    {
        if (rows.Count == 0)
        {
            return;
        }

        write.BatchCommands.Add(PostgresProfileStore.KeysCommand(sql, PostgresProfileStore.Columns(rows.Select(r => r.Key)), [.. rows.Select(r => r.Latest)]));
    }
}
