using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The identity map in the <c>identity_links</c> table: one row per linked id, naming the canonical
/// id of its cluster. Each change runs in its own write transaction on its own connection beside the
/// profile writer (SQLite serialises the two), and merges or removes the profiles it concerns in that
/// same transaction; the profile writer notices the commit (<c>PRAGMA data_version</c>) and prepares
/// its next group again from the committed state, so no update is applied to a profile a merge removed.
/// </summary>
public sealed partial class SqliteProfileStore : IIdentityStore
{
    private const string MemberColumns = "id, canonical, how, via, linked_at";

    public async Task<IdentityLinkResult> LinkAsync(IdentityLinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureOpen();
        await using var connection = await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var rows = ReadClusters(connection, transaction, request.Project, IdentityPlanner.CandidateIds(request));
        var plan = IdentityPlanner.Plan(request, rows);
        if (!plan.ChangesAnything)
        {
            return plan.Result;
        }

        foreach (var row in plan.Rows)
        {
            using var upsert = Command(connection, transaction, $"""
                INSERT INTO identity_links (project, {MemberColumns}) VALUES ($project, $id, $canonical, $how, $via, $linked_at)
                ON CONFLICT (project, id) DO UPDATE SET canonical = excluded.canonical, how = excluded.how, via = excluded.via, linked_at = excluded.linked_at;
                """, ("$project", request.Project), ("$id", row.Id), ("$canonical", row.Canonical), ("$how", row.How), ("$via", row.Via), ("$linked_at", Text(row.LinkedAt)));
            upsert.ExecuteNonQuery();
        }

        MergeProfiles(connection, transaction, request.Project, plan.Result.Canonical, plan.MergedProfiles);
        transaction.Commit();
        _changesCommitted.Pulse();
        return plan.Result;
    }

    public async Task<IReadOnlyDictionary<string, string>> FindCanonicalIdsAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return found;
        }

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, """
            SELECT id, canonical FROM identity_links
            WHERE project = $project AND id IN (SELECT value FROM json_each($ids)) AND canonical <> id;
            """, ("$project", project), ("$ids", JsonSerializer.Serialize(ids)));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            found[reader.GetString(0)] = reader.GetString(1);
        }

        return found;
    }

    public async Task<bool> HasLinksAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, "SELECT EXISTS (SELECT 1 FROM identity_links WHERE project = $project);", ("$project", project));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    }

    public async Task<IdentityCluster?> GetClusterAsync(string project, string distinctId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(distinctId);
        EnsureOpen();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = ReadClusters(connection, null, project, [distinctId]);
        return rows.Count == 0 ? null : IdentityClusters.From(rows);
    }

    public async Task<IdentityUnmergeStatus> UnmergeAsync(string project, string distinctId, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(distinctId);
        EnsureOpen();
        await using var connection = await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var rows = ReadClusters(connection, transaction, project, [distinctId]);
        var step = IdentityClusters.Unmerge(rows, distinctId, time);
        if (step.Status != IdentityUnmergeStatus.Unmerged)
        {
            return step.Status;
        }

        using (var split = Command(connection, transaction, """
            UPDATE identity_links SET canonical = $id, how = $how, via = $via, linked_at = $linked_at WHERE project = $project AND id = $id;
            """, ("$project", project), ("$id", distinctId), ("$how", IdentityMember.UnmergedHow), ("$via", step.Split!.Via), ("$linked_at", Text(time))))
        {
            split.ExecuteNonQuery();
        }

        if (step.RemoveCanonical is { } alone)
        {
            using var remove = Command(connection, transaction, "DELETE FROM identity_links WHERE project = $project AND id = $id;", ("$project", project), ("$id", alone));
            remove.ExecuteNonQuery();
        }

        transaction.Commit();
        return IdentityUnmergeStatus.Unmerged;
    }

    public async Task<IReadOnlyList<string>> DeleteIdentitiesAsync(string project, IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        await using var connection = await OpenSideWriterAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var all = IdentityClusters.WithClusters(ids, ReadClusters(connection, transaction, project, ids));
        var json = JsonSerializer.Serialize(all);

        RemovePropertyHistory(connection, transaction, project, json);
        var deletedProfiles = new List<string>();
        using (var profiles = Command(connection, transaction, "DELETE FROM profiles WHERE project = $project AND group_key = '' AND id IN (SELECT value FROM json_each($ids)) RETURNING id;", ("$project", project), ("$ids", json)))
        using (var reader = profiles.ExecuteReader())
        {
            while (reader.Read())
            {
                deletedProfiles.Add(reader.GetString(0));
            }
        }

        using (var links = Command(connection, transaction, "DELETE FROM identity_links WHERE project = $project AND id IN (SELECT value FROM json_each($ids));", ("$project", project), ("$ids", json)))
        {
            links.ExecuteNonQuery();
        }

        NotifyChangeFeed(connection, transaction, project, deletedProfiles);
        transaction.Commit();
        _changesCommitted.Pulse();
        return all;
    }

    /// <summary>
    /// A privacy deletion removes the user profiles' log: every row of those ids (their property
    /// history and their change-feed rows), by a scan of <c>profile_history</c> (walking the chains
    /// would miss the rows a retention cut left behind one and the feed-only rows, see
    /// <see cref="SqliteHistoryChain"/>), and the chain heads parked in <c>log_heads</c>. The heads
    /// kept in profile rows go with those rows.
    /// </summary>
    private static void RemovePropertyHistory(SqliteConnection connection, SqliteTransaction transaction, string project, string idsJson)
    {
        using var command = Command(connection, transaction, """
            DELETE FROM profile_history WHERE project = $project AND group_key = '' AND id IN (SELECT value FROM json_each($ids));
            DELETE FROM log_heads WHERE project = $project AND group_key = '' AND id IN (SELECT value FROM json_each($ids));
            """, ("$project", project), ("$ids", idsJson));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// After the ids' log rows went (<see cref="RemovePropertyHistory"/>, the change feed's with
    /// them), a privacy deletion leaves one <c>delete</c> change per deleted profile (source
    /// <c>gdpr</c>, no values, on no chain) so a consumer of the change feed learns of it.
    /// </summary>
    private void NotifyChangeFeed(SqliteConnection connection, SqliteTransaction transaction, string project, IReadOnlyList<string> deletedProfiles)
    {
        if (History.Enabled && deletedProfiles.Count > 0)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var deleted = Command(connection, transaction, $$"""
                INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json, feed)
                SELECT $project, '', value, $now, $now, $source, '', 'delete', '{}', '{}', {{(int)SqliteLogRowRole.FeedOnly}} FROM json_each($ids);
                """, ("$project", project), ("$ids", JsonSerializer.Serialize(deletedProfiles)), ("$now", now), ("$source", IdentityChangeSources.Privacy));
            deleted.ExecuteNonQuery();
        }
    }

    /// <summary>Every row of every cluster holding one of <paramref name="ids"/>.</summary>
    private static List<IdentityMember> ReadClusters(SqliteConnection connection, SqliteTransaction? transaction, string project, IReadOnlyCollection<string> ids)
    {
        using var command = Command(connection, transaction, $"""
            SELECT {MemberColumns} FROM identity_links
            WHERE project = $project AND canonical IN (
                SELECT canonical FROM identity_links WHERE project = $project AND id IN (SELECT value FROM json_each($ids)))
            ORDER BY linked_at, id;
            """, ("$project", project), ("$ids", JsonSerializer.Serialize(ids)));
        using var reader = command.ExecuteReader();
        var rows = new List<IdentityMember>();
        while (reader.Read())
        {
            rows.Add(new IdentityMember(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }

        return rows;
    }

    /// <summary>
    /// Merges the user profiles of <paramref name="merged"/> into <paramref name="canonical"/>'s and
    /// removes them; with history on, the change log and the record log gain the merge's rows
    /// (<see cref="MergeLog"/>) in the same transaction.
    /// </summary>
    private void MergeProfiles(SqliteConnection connection, SqliteTransaction transaction, string project, string canonical, IReadOnlyList<string> merged)
    {
        if (merged.Count == 0)
        {
            return;
        }

        var log = new MergeLog(project, canonical, ReadProfile(connection, transaction, project, canonical), DateTimeOffset.UtcNow);
        foreach (var id in merged)
        {
            if (ReadProfile(connection, transaction, project, id) is not { } other)
            {
                continue;
            }

            log.Merge(id, other);

            // The head of the profile's history chain moves out of the row before it goes.
            using var delete = Command(connection, transaction, SqliteHistoryChain.ParkSql + "DELETE FROM profiles WHERE project = $project AND group_key = $group_key AND id = $id;", ("$project", project), ("$group_key", ""), ("$id", id));
            delete.ExecuteNonQuery();
        }

        if (log.Entries.Count == 0)
        {
            return;
        }

        using (var upsert = Command(connection, transaction, """
            INSERT INTO profiles (project, group_key, id, properties) VALUES ($project, '', $id, jsonb($properties))
            ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
            """, ("$project", project), ("$id", canonical), ("$properties", StoredProperties.Serialize(log.Profile!))))
        {
            upsert.ExecuteNonQuery();
        }

        if (History.Enabled)
        {
            WriteMergeLog(connection, transaction, log.Entries);
        }
    }

    private static void WriteMergeLog(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<MergeLogEntry> entries)
    {
        foreach (var entry in entries)
        {
            // Appended to the profile's chain, whose head moves to it (SqliteHistoryChain); a merge
            // changes every profile it logs, so the row is the change feed's too.
            using var history = Command(connection, transaction, SqliteHistoryChain.AppendSql, [
                ("$project", entry.Key.Project), ("$group_key", entry.Key.GroupKey), ("$id", entry.Key.Id), ("$time", entry.Time), ("$source", entry.Source),
                ("$received", entry.Time), ("$credential", ""), ("$kind", entry.DiffKind), ("$changes", entry.DiffJson), ("$record", entry.Record),
                ("$feed", (int)SqliteLogRowRole.HistoryAndFeed)]);
            history.ExecuteNonQuery();
        }
    }

    private static System.Text.Json.Nodes.JsonObject? ReadProfile(SqliteConnection connection, SqliteTransaction transaction, string project, string id)
    {
        using var select = Command(connection, transaction, "SELECT json(properties) FROM profiles WHERE project = $project AND group_key = '' AND id = $id;", ("$project", project), ("$id", id));
        return select.ExecuteScalar() is string json ? StoredProperties.Parse(json) : null;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
