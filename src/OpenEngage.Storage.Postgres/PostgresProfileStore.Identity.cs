using System.Text.Json.Nodes;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The identity map in the <c>identity_links</c> table: one row per linked id, naming the canonical
/// id of its cluster.
/// </summary>
/// <remarks>
/// Every change of a project's map runs in one transaction on its own pooled connection that first
/// takes the project's identity advisory lock (two-key form, class <see cref="IdentityLockClass"/>),
/// so links of one project serialise across every node: two nodes linking overlapping ids at once
/// both decide on committed state and end with one cluster. A change that merges or removes
/// profiles then takes those profiles' advisory locks, the same one-key locks the profile writer
/// takes, in ascending order as the writer does; the writer never takes an identity lock, so no
/// cycle of waits can form. <c>synchronous_commit = on</c>: durable when it answers.
/// </remarks>
public sealed partial class PostgresProfileStore : IIdentityStore
{
    private const int IdentityLockClass = 0x4f46;
    private const string MemberColumns = "id, canonical, how, via, linked_at";

    public async Task<IdentityLinkResult> LinkAsync(IdentityLinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureOpen();
        if (HasNul(request.Project) || HasNul(request.Target) || HasNul(request.Source))
        {
            return new IdentityLinkResult(IdentityLinkStatus.Rejected, "the ids hold the character U+0000, which this store cannot keep", request.Target, []);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginIdentityTransactionAsync(connection, request.Project, cancellationToken).ConfigureAwait(false);
        var rows = await ReadClustersAsync(connection, transaction, request.Project, IdentityPlanner.CandidateIds(request), cancellationToken).ConfigureAwait(false);
        var plan = IdentityPlanner.Plan(request, rows);
        if (!plan.ChangesAnything)
        {
            return plan.Result;
        }

        await using (var upsert = new NpgsqlCommand($"""
            INSERT INTO identity_links (project, {MemberColumns})
            SELECT $1, k.id, k.canonical, k.how, k.via, k.linked_at
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS k(id, canonical, how, via, linked_at)
            ON CONFLICT (project, id) DO UPDATE SET canonical = excluded.canonical, how = excluded.how, via = excluded.via, linked_at = excluded.linked_at;
            """, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.Project });
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. plan.Rows.Select(row => row.Id)] });
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. plan.Rows.Select(row => row.Canonical)] });
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. plan.Rows.Select(row => row.How)] });
            upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. plan.Rows.Select(row => row.Via)] });
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. plan.Rows.Select(row => row.LinkedAt.ToUniversalTime())] });
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await MergeProfilesAsync(connection, transaction, request.Project, plan.Result.Canonical, plan.MergedProfiles, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _changesCommitted.Pulse();
        return plan.Result;
    }

    public async Task<IReadOnlyDictionary<string, string>> FindCanonicalIdsAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var wanted = ids.Where(id => !HasNul(id)).ToArray();
        if (wanted.Length == 0 || HasNul(project))
        {
            return found;
        }

        await using var command = _dataSource.CreateCommand("SELECT id, canonical FROM identity_links WHERE project = $1 AND id = ANY($2) AND canonical <> id;");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = wanted });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[reader.GetString(0)] = reader.GetString(1);
        }

        return found;
    }

    public async Task<bool> HasLinksAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        if (HasNul(project))
        {
            return false;
        }

        await using var command = _dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM identity_links WHERE project = $1);");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IdentityCluster?> GetClusterAsync(string project, string distinctId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(distinctId);
        EnsureOpen();
        if (HasNul(project) || HasNul(distinctId))
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await ReadClustersAsync(connection, null, project, [distinctId], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : IdentityClusters.From(rows);
    }

    public async Task<IdentityUnmergeStatus> UnmergeAsync(string project, string distinctId, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(distinctId);
        EnsureOpen();
        if (HasNul(project) || HasNul(distinctId))
        {
            return IdentityUnmergeStatus.NotLinked;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginIdentityTransactionAsync(connection, project, cancellationToken).ConfigureAwait(false);
        var rows = await ReadClustersAsync(connection, transaction, project, [distinctId], cancellationToken).ConfigureAwait(false);
        var step = IdentityClusters.Unmerge(rows, distinctId, time);
        if (step.Status != IdentityUnmergeStatus.Unmerged)
        {
            return step.Status;
        }

        await using (var split = new NpgsqlCommand("UPDATE identity_links SET canonical = $2, how = $3, via = $4, linked_at = $5 WHERE project = $1 AND id = $2;", connection, transaction))
        {
            split.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            split.Parameters.Add(new NpgsqlParameter<string> { TypedValue = distinctId });
            split.Parameters.Add(new NpgsqlParameter<string> { TypedValue = IdentityMember.UnmergedHow });
            split.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = step.Split!.Via });
            split.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.ToUniversalTime() });
            await split.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (step.RemoveCanonical is { } alone)
        {
            await using var remove = new NpgsqlCommand("DELETE FROM identity_links WHERE project = $1 AND id = $2;", connection, transaction);
            remove.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            remove.Parameters.Add(new NpgsqlParameter<string> { TypedValue = alone });
            await remove.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return IdentityUnmergeStatus.Unmerged;
    }

    public async Task<IReadOnlyList<string>> DeleteIdentitiesAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        var wanted = ids.Where(id => !HasNul(id)).ToArray();
        if (HasNul(project) || wanted.Length == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginIdentityTransactionAsync(connection, project, cancellationToken).ConfigureAwait(false);
        var all = IdentityClusters.WithClusters(wanted, await ReadClustersAsync(connection, transaction, project, wanted, cancellationToken).ConfigureAwait(false));
        await LockProfilesAsync(connection, transaction, project, all, cancellationToken).ConfigureAwait(false);

        var deletedProfiles = new List<string>();
        await using (var profiles = new NpgsqlCommand("DELETE FROM profiles WHERE project = $1 AND group_key = '' AND id = ANY($2) RETURNING id;", connection, transaction))
        {
            profiles.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            profiles.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. all] });
            await using var reader = await profiles.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                deletedProfiles.Add(reader.GetString(0));
            }
        }

        await using (var links = new NpgsqlCommand("DELETE FROM identity_links WHERE project = $1 AND id = ANY($2);", connection, transaction))
        {
            links.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            links.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. all] });
            await links.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await DeletePropertyHistoryAsync(connection, transaction, project, all, deletedProfiles, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _changesCommitted.Pulse();
        return all;
    }

    /// <summary>
    /// A privacy deletion also removes the deleted profiles' property history and their rows in
    /// the change log, in the same transaction, and leaves one <c>delete</c> change per deleted
    /// profile (source <c>gdpr</c>, no values) so a consumer of the change feed learns of it.
    /// </summary>
    private async Task DeletePropertyHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string project, IReadOnlyList<string> ids, IReadOnlyList<string> deletedProfiles, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var table in (string[])["profile_history", "profile_changes", "log_heads"])
        {
            var delete = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE project = $1 AND group_key = '' AND id = ANY($2);");
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. ids] });
            batch.BatchCommands.Add(delete);
        }

        if (History.Enabled && deletedProfiles.Count > 0)
        {
            var deleted = new NpgsqlBatchCommand("""
                INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
                SELECT $1, '', id, 'delete', '{}'::jsonb, '[]'::jsonb, $3, $3, $4 FROM unnest($2) AS id;
                """);
            deleted.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            deleted.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deletedProfiles] });
            deleted.Parameters.Add(new NpgsqlParameter<long> { TypedValue = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
            deleted.Parameters.Add(new NpgsqlParameter<string> { TypedValue = IdentityChangeSources.Privacy });
            batch.BatchCommands.Add(deleted);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A durable transaction holding the project's identity lock.</summary>
    private static async Task<NpgsqlTransaction> BeginIdentityTransactionAsync(NpgsqlConnection connection, string project, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = on;"));
            var lockCommand = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1, $2);");
            lockCommand.Parameters.Add(new NpgsqlParameter<int> { TypedValue = IdentityLockClass });
            lockCommand.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)LockId(ProfileKey.User(project, "")) });
            batch.BatchCommands.Add(lockCommand);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The profile writer's advisory locks of these user profiles, in ascending order.</summary>
    private static async Task LockProfilesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string project, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var lockIds = ids.Select(id => LockId(ProfileKey.User(project, id))).Distinct().Order().ToArray();
        await using var command = new NpgsqlCommand("SELECT count(pg_advisory_xact_lock(l)) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(l, n);", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = lockIds });
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every row of every cluster holding one of <paramref name="ids"/>.</summary>
    private static async Task<List<IdentityMember>> ReadClustersAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {MemberColumns} FROM identity_links
            WHERE project = $1 AND canonical IN (SELECT canonical FROM identity_links WHERE project = $1 AND id = ANY($2))
            ORDER BY linked_at, id;
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<IdentityMember>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new IdentityMember(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return rows;
    }

    /// <summary>Merges the user profiles of <paramref name="merged"/> into <paramref name="canonical"/>'s and removes them, under their profile locks.</summary>
    private async Task MergeProfilesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string project, string canonical, IReadOnlyList<string> merged, CancellationToken cancellationToken)
    {
        if (merged.Count == 0)
        {
            return;
        }

        string[] ids = [canonical, .. merged];
        await LockProfilesAsync(connection, transaction, project, ids, cancellationToken).ConfigureAwait(false);
        var profiles = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("SELECT id, properties::text FROM profiles WHERE project = $1 AND group_key = '' AND id = ANY($2);", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                profiles[reader.GetString(0)] = StoredProperties.Parse(reader.GetString(1));
            }
        }

        var log = new MergeLog(project, canonical, profiles.GetValueOrDefault(canonical), DateTimeOffset.UtcNow);
        var removed = new List<string>();
        foreach (var id in merged)
        {
            if (profiles.TryGetValue(id, out var other))
            {
                log.Merge(id, other);
                removed.Add(id);
            }
        }

        if (removed.Count == 0)
        {
            return;
        }

        var profile = log.Profile;
        await using var batch = new NpgsqlBatch(connection, transaction);
        var delete = new NpgsqlBatchCommand("DELETE FROM profiles WHERE project = $1 AND group_key = '' AND id = ANY($2);");
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. removed] });
        batch.BatchCommands.Add(delete);
        var upsert = new NpgsqlBatchCommand("""
            INSERT INTO profiles (project, group_key, id, properties) VALUES ($1, '', $2, $3::jsonb)
            ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
            """);
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = canonical });
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = StoredProperties.Serialize(profile!) });
        batch.BatchCommands.Add(upsert);
        if (History.Enabled)
        {
            AddMergeLog(batch, log.Entries);
            AddMergeLogTimes(batch, log.Entries);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The newest logged time of every profile a merge logged rows of: the merged profile's row, or
    /// <c>log_heads</c> for the profiles merged into it, which have no row any more.
    /// </summary>
    private static void AddMergeLogTimes(NpgsqlBatch batch, IReadOnlyList<MergeLogEntry> entries)
    {
        var latest = entries.GroupBy(e => e.Key).Select(g => (g.Key, Time: g.Max(e => e.Time))).ToList();
        if (latest.Count == 0)
        {
            return;
        }

        var keys = Columns(latest.Select(l => l.Key));
        long[] times = [.. latest.Select(l => l.Time)];
        foreach (var sql in (string[])[
            """
            UPDATE profiles p SET log_time = greatest(p.log_time, k.log_time)
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, log_time)
            WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
            """,
            """
            INSERT INTO log_heads (project, group_key, id, log_time)
            SELECT k.project, k.group_key, k.id, k.log_time
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(project, group_key, id, log_time)
            WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id)
            ON CONFLICT (project, group_key, id) DO UPDATE SET log_time = greatest(log_heads.log_time, excluded.log_time);
            """])
        {
            batch.BatchCommands.Add(KeysCommand(sql, keys, times));
        }
    }

    /// <summary>The change log's and the record log's rows of a merge (<see cref="MergeLog"/>), in the merge's batch.</summary>
    private static void AddMergeLog(NpgsqlBatch batch, IReadOnlyList<MergeLogEntry> entries)
    {
        foreach (var entry in entries)
        {
            var change = new NpgsqlBatchCommand("""
                INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $7, $8);
                """);
            AddKey(change, entry);
            change.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Change.Kind });
            change.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Change.Changed });
            change.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Change.Removed });
            change.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Time });
            change.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Source });
            batch.BatchCommands.Add(change);

            var history = new NpgsqlBatchCommand("""
                INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
                VALUES ($1, $2, $3, $4, $4, $5, '', $6, $7, $8);
                """);
            AddKey(history, entry);
            history.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Time });
            history.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Source });
            history.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.DiffKind });
            history.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.DiffJson });
            history.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Record });
            batch.BatchCommands.Add(history);
        }

        static void AddKey(NpgsqlBatchCommand command, MergeLogEntry entry)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Key.Project });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Key.GroupKey });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Key.Id });
        }
    }

    private static bool HasNul(string text) => text.Contains('\0', StringComparison.Ordinal);
}
