using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The query side: the where filter runs in SQL as far as <see cref="SqliteWhereTranslator"/>
/// can decide it exactly; the rows it leaves undecided are evaluated in memory, so the answer is
/// always the evaluator's.
/// </summary>
public sealed partial class SqliteProfileStore
{
    public async Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            return await InMemoryQuery.QueryAsync(this, query, cancellationToken).ConfigureAwait(false);
        }

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var (decided, extra) = await CountAsync(connection, transaction, plan, cancellationToken).ConfigureAwait(false);
        var total = decided + extra.Count;

        var profiles = new List<StoredProfile>();
        if (total > query.Offset && query.Limit is not 0)
        {
            await using var page = Command(connection, transaction, plan, $"SELECT id, properties FROM profiles WHERE {Matching(plan, extra)} {plan.OrderBy} LIMIT $limit OFFSET $offset;");
            AddWindow(page, query, extra);
            await using var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                profiles.Add(new StoredProfile(new ProfileKey(query.Project, query.GroupKey, reader.GetString(0)), StoredProperties.Parse(reader.GetString(1))));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ProfilePage(profiles, total);
    }

    public async IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            await foreach (var profile in InMemoryQuery.StreamAsync(this, query, cancellationToken).ConfigureAwait(false))
            {
                yield return profile;
            }

            yield break;
        }

        await foreach (var (id, properties) in ScanAsync(plan, withProperties: true, cancellationToken).ConfigureAwait(false))
        {
            yield return new StoredProfile(new ProfileKey(query.Project, query.GroupKey, id), properties!);
        }
    }

    public async Task<IReadOnlyList<string>> QueryIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            return await InMemoryQuery.QueryIdsAsync(this, query, cancellationToken).ConfigureAwait(false);
        }

        var ids = new List<string>();
        await foreach (var (id, _) in ScanAsync(plan, withProperties: false, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>
    /// Every match in order, in one scan: the filter is computed once per row (the subquery's
    /// LIMIT keeps SQLite from inlining it into the outer WHERE and SELECT), and the undecided rows
    /// come with their properties for the evaluator. The window applies after that.
    /// </summary>
    private async IAsyncEnumerable<(string Id, JsonObject? Properties)> ScanAsync(QueryPlan plan, bool withProperties, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (plan.Filter.IsNone)
        {
            yield break;
        }

        var sortColumn = plan.SortPath is null ? "" : ", json_extract(properties, $sort_path) AS k";
        var orderBy = plan.SortPath is null ? "ORDER BY id" : $"ORDER BY k{(plan.Query.Descending ? " DESC" : "")}, id";
        var properties = withProperties ? "properties" : "CASE WHEN m IS NULL THEN properties END";
        var sql = $"""
            SELECT m, id, {properties} FROM (
                SELECT ({plan.Filter.Sql}) AS m, id, properties{sortColumn} FROM profiles WHERE {plan.Scope} LIMIT -1
            ) WHERE m IS NOT 0 {orderBy};
            """;

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = Command(connection, transaction, plan, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var skip = plan.Query.Offset;
        var take = plan.Query.Limit ?? int.MaxValue;
        while (take > 0 && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            JsonObject? parsed = null;
            if (reader.IsDBNull(0))
            {
                parsed = StoredProperties.Parse(reader.GetString(2));
                if (!plan.Query.Where!.Matches(parsed, plan.Query.Now))
                {
                    continue;
                }
            }

            if (skip > 0)
            {
                skip--;
                continue;
            }

            take--;
            yield return (reader.GetString(1), withProperties ? parsed ?? StoredProperties.Parse(reader.GetString(2)) : null);
        }
    }

    /// <summary>How SQL runs a query; null when it cannot (a sort key SQLite's JSON paths cannot name).</summary>
    private QueryPlan? Plan(ProfileQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.ThrowIfInvalid();

        EnsureOpen();
        string? sortPath = null;
        if (query.SortKey is { } key && (sortPath = SqliteWhereTranslator.PathOf(key)) is null)
        {
            return null;
        }

        var scope = "project = $project AND group_key = $group_key"
            + (query.DistinctIds is null ? "" : " AND id IN (SELECT value FROM json_each($ids))");
        var orderBy = sortPath is null
            ? "ORDER BY id"
            : $"ORDER BY json_extract(properties, $sort_path){(query.Descending ? " DESC" : "")}, id";
        return new QueryPlan(query, SqliteWhereTranslator.Translate(query.Where, query.Now), scope, orderBy, sortPath);
    }

    /// <summary>
    /// In one scan: the number of rows SQL decides as matching, and (evaluated in memory) the ids
    /// of the undecided rows that match.
    /// </summary>
    private static async Task<(long Decided, List<string> Extra)> CountAsync(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Filter.IsNone)
        {
            return (0, []);
        }

        if (plan.Filter.IsUnknown)
        {
            return (0, await UndecidedMatchesAsync(connection, transaction, plan, cancellationToken).ConfigureAwait(false));
        }

        string undecided;
        long decided;
        await using (var count = Command(connection, transaction, plan, $"""
            SELECT count(*) FILTER (WHERE m = 1), json_group_array(id) FILTER (WHERE m IS NULL)
            FROM (SELECT ({plan.Filter.Sql}) AS m, id FROM profiles WHERE {plan.Scope});
            """))
        {
            await using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            decided = reader.GetInt64(0);
            undecided = reader.IsDBNull(1) ? "[]" : reader.GetString(1);
        }

        var extra = new List<string>();
        var ids = JsonSerializer.Deserialize<List<string>>(undecided) ?? [];
        if (ids.Count > 0)
        {
            await using var rows = Command(connection, transaction, plan, "SELECT id, properties FROM profiles WHERE project = $project AND group_key = $group_key AND id IN (SELECT value FROM json_each($undecided));");
            rows.Parameters.AddWithValue("$undecided", undecided);
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (plan.Query.Where!.Matches(StoredProperties.Parse(reader.GetString(1)), plan.Query.Now))
                {
                    extra.Add(reader.GetString(0));
                }
            }
        }

        return (decided, extra);
    }

    /// <summary>Evaluates in memory the rows SQL leaves undecided and returns the ids of those that match.</summary>
    private static async Task<List<string>> UndecidedMatchesAsync(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, CancellationToken cancellationToken)
    {
        var matches = new List<string>();
        if (plan.Filter.IsAll || plan.Filter.IsNone)
        {
            return matches;
        }

        var where = plan.Filter.IsUnknown ? plan.Scope : $"{plan.Scope} AND ({plan.Filter.Sql}) IS NULL";
        await using var command = Command(connection, transaction, plan, $"SELECT id, properties FROM profiles WHERE {where};");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (plan.Query.Where!.Matches(StoredProperties.Parse(reader.GetString(1)), plan.Query.Now))
            {
                matches.Add(reader.GetString(0));
            }
        }

        return matches;
    }

    private static string Matching(QueryPlan plan, List<string> extra)
    {
        var decided = plan.Filter.IsUnknown || plan.Filter.IsNone ? "0" : $"({plan.Filter.Sql}) = 1";
        return extra.Count == 0
            ? $"{plan.Scope} AND {decided}"
            : $"{plan.Scope} AND ({decided} OR id IN (SELECT value FROM json_each($extra)))";
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$project", plan.Query.Project);
        command.Parameters.AddWithValue("$group_key", plan.Query.GroupKey);
        if (plan.Query.DistinctIds is { } ids && sql.Contains("$ids", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids));
        }

        if (plan.SortPath is { } path && sql.Contains("$sort_path", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("$sort_path", path);
        }

        foreach (var (name, value) in plan.Filter.Parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, value);
            }
        }

        return command;
    }

    private static void AddWindow(SqliteCommand command, ProfileQuery query, List<string> extra)
    {
        command.Parameters.AddWithValue("$limit", query.Limit ?? -1);
        command.Parameters.AddWithValue("$offset", query.Offset);
        if (extra.Count > 0)
        {
            command.Parameters.AddWithValue("$extra", JsonSerializer.Serialize(extra));
        }
    }

    private sealed record QueryPlan(ProfileQuery Query, SqliteWhereTranslator.Translation Filter, string Scope, string OrderBy, string? SortPath);
}
