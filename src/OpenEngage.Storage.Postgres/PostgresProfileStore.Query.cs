using System.Data;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The query side: the where filter runs in SQL as far as <see cref="PostgresWhereTranslator"/>
/// can decide it exactly; the rows it leaves undecided are evaluated in memory, so the answer is
/// always the evaluator's. The order is the reference order, in SQL (<see cref="PostgresSortOrder"/>)
/// unless the matches hold a list or an object as their sort value; then in memory
/// (<see cref="ProfileOrder"/>). Windows are cut in SQL and streams read rows as they arrive.
/// </summary>
public sealed partial class PostgresProfileStore
{
    /// <summary>How many sorted queries were ordered in memory because a sort value was a list or an object (tests check the SQL path runs).</summary>
    internal long InMemorySorts => Interlocked.Read(ref _inMemorySorts);

    private long _inMemorySorts;

    public async Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        await using var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null)
        {
            return new ProfilePage([], 0);
        }

        var matches = await MatchAsync(read, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<StoredProfile> window;
        if (matches.Total <= query.Offset || query.Limit is 0)
        {
            window = [];
        }
        else if (matches.SortInSql)
        {
            // The window's ids first, then their properties: the sort then holds ids and keys, not whole profiles.
            var ids = await IdsAsync(matches, query, cancellationToken).ConfigureAwait(false);
            await using var select = read.ProfilesCommand("SELECT id, properties::text FROM profiles WHERE project = @project AND group_key = @group_key AND id = ANY(@page);");
            select.Parameters.Add(new NpgsqlParameter("page", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
            var page = new List<StoredProfile>();
            await ReadAsync(select, query, page, null, cancellationToken).ConfigureAwait(false);
            var byId = page.ToDictionary(profile => profile.Key.Id, StringComparer.Ordinal);
            window = [.. ids.Select(id => byId[id])];
        }
        else
        {
            window = Window(await SortedInMemoryAsync(matches, cancellationToken).ConfigureAwait(false), query);
        }

        await read.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ProfilePage(window, matches.Total);
    }

    /// <summary>
    /// One query in one snapshot whose rows are read as the caller consumes them, in the query's
    /// order: the undecided rows are evaluated as they pass, and the window is counted off the
    /// matches. Sorted by a property whose matches hold a list or an object, every match is read and
    /// sorted in memory first.
    /// </summary>
    public async IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null || query.Limit is 0)
        {
            yield break;
        }

        var filter = read.Filter;
        var (decision, matching) = filter.IsAll ? ("TRUE", "") : filter.IsUnknown ? ("NULL::boolean", "") : ($"({filter.Sql})", $" AND ({filter.Sql}) IS NOT FALSE");
        var sorted = query.SortKey is not null;
        if (sorted)
        {
            // A list or an object among the rows that may match: their order is the compact JSON
            // text, which SQL does not have. Rare; then the matches are sorted in memory.
            await using var composite = read.Command($"SELECT EXISTS (SELECT 1 FROM profiles WHERE {read.Scope}{matching} AND {PostgresSortOrder.CompositeSql});", withSortKey: true);
            if ((bool)(await composite.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                var matches = await MatchAsync(read, cancellationToken).ConfigureAwait(false);
                foreach (var profile in Window(await SortedInMemoryAsync(matches, cancellationToken).ConfigureAwait(false), query))
                {
                    yield return profile;
                }

                yield break;
            }
        }

        await using var command = read.Command($"SELECT id, properties::text, {decision} FROM profiles WHERE {read.Scope}{matching} ORDER BY {PostgresSortOrder.OrderBy(sorted, query.Descending)};", sorted);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        var skip = query.Offset;
        var take = query.Limit ?? int.MaxValue;
        while (take > 0 && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            var properties = StoredProperties.Parse(reader.GetString(1));
            if (reader.IsDBNull(2) && !query.Where!.Matches(properties, query.Now))
            {
                continue;
            }

            if (skip > 0)
            {
                skip--;
                continue;
            }

            take--;
            yield return new StoredProfile(new ProfileKey(query.Project, query.GroupKey, id), properties);
        }
    }

    public async Task<IReadOnlyList<string>> QueryIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        await using var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null)
        {
            return [];
        }

        var matches = await MatchAsync(read, cancellationToken).ConfigureAwait(false);
        var ids = await IdsAsync(matches, query, cancellationToken).ConfigureAwait(false);
        await read.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }

    /// <summary>
    /// The first page of a session as the embedded store answers it: the count and the window from
    /// one snapshot (a repeatable-read transaction), which stays open until every matching id is
    /// read in order for the later pages, or the snapshot is disposed.
    /// </summary>
    public async Task<IdSnapshot> SnapshotIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null)
        {
            return IdSnapshot.FromIds([], query);
        }

        try
        {
            var matches = await MatchAsync(read, cancellationToken).ConfigureAwait(false);
            if (!matches.SortInSql)
            {
                var sorted = await SortedInMemoryAsync(matches, cancellationToken).ConfigureAwait(false);
                await read.DisposeAsync().ConfigureAwait(false);
                return IdSnapshot.FromIds([.. sorted.Select(profile => profile.Key.Id)], query);
            }

            var window = await IdsAsync(matches, query, cancellationToken).ConfigureAwait(false);
            var every = query with { Offset = 0, Limit = null };
            return new IdSnapshot(window, matches.Total, token => IdsAsync(matches, every, token), read.DisposeAsync);
        }
        catch
        {
            await read.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The ids of the query's window of <paramref name="matches"/>, in its order (sorted in memory when SQL cannot).</summary>
    private async Task<IReadOnlyList<string>> IdsAsync(Matches matches, ProfileQuery query, CancellationToken cancellationToken)
    {
        if (matches.Total <= query.Offset || query.Limit is 0)
        {
            return [];
        }

        if (!matches.SortInSql)
        {
            return [.. Window(await SortedInMemoryAsync(matches, cancellationToken).ConfigureAwait(false), query).Select(profile => profile.Key.Id)];
        }

        await using var select = matches.Command($"SELECT id FROM profiles WHERE {matches.Sql} ORDER BY {matches.OrderBy} LIMIT @limit OFFSET @offset;", matches.Sorted);
        AddWindow(select, query);
        var ids = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>
    /// Which rows match, in the read's snapshot, and how many: one scan counts the rows SQL does not
    /// rule out, those it decides as matching (and, sorted, the lists and objects among their sort
    /// values); the rows it leaves undecided — their number is the difference, usually none — are
    /// then read and evaluated in memory. A filter SQL decides nothing of is evaluated on every row.
    /// </summary>
    private static async Task<Matches> MatchAsync(QueryRead read, CancellationToken cancellationToken)
    {
        var (query, filter, scope) = (read.Query, read.Filter, read.Scope);
        var sorted = query.SortKey is not null;
        var extra = new List<StoredProfile>();
        long decided = 0, composite = 0;
        if (filter.IsUnknown)
        {
            await using var command = read.Command($"SELECT id, properties::text FROM profiles WHERE {scope};");
            await ReadAsync(command, query, extra, profile => query.Where!.Matches(profile.Properties, query.Now), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (possible, matching) = filter.IsAll ? ("", "count(*)") : ($" AND ({filter.Sql}) IS NOT FALSE", $"count(*) FILTER (WHERE ({filter.Sql}))");
            var lists = sorted ? $"count(*) FILTER (WHERE {PostgresSortOrder.CompositeSql}{(filter.IsAll ? "" : $" AND ({filter.Sql})")})" : "0::bigint";
            await using var count = read.Command($"SELECT count(*), {matching}, {lists} FROM profiles WHERE {scope}{possible};", sorted);
            long undecided;
            await using (var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                decided = reader.GetInt64(1);
                undecided = reader.GetInt64(0) - decided;
                composite = reader.GetInt64(2);
            }

            if (undecided > 0)
            {
                await using var command = read.Command($"SELECT id, properties::text FROM profiles WHERE {scope} AND ({filter.Sql}) IS NULL;");
                await ReadAsync(command, query, extra, profile => query.Where!.Matches(profile.Properties, query.Now), cancellationToken).ConfigureAwait(false);
            }
        }

        if (sorted)
        {
            composite += extra.Count(profile => profile.Properties.TryGetPropertyValue(query.SortKey!, out var value) && value is JsonArray or JsonObject);
        }

        var decidedSql = filter.IsUnknown ? "FALSE" : filter.Sql;
        var extraIds = extra.Select(profile => profile.Key.Id).ToArray();
        var sql = extraIds.Length == 0 ? $"{scope} AND ({decidedSql})" : $"{scope} AND (({decidedSql}) OR id = ANY(@extra))";
        return new Matches(read, sql, extraIds) { Total = decided + extra.Count, SortInSql = !sorted || composite == 0 };
    }

    /// <summary>Every match read and ordered in memory by the reference order: for sort values SQL cannot order (lists and objects).</summary>
    private async Task<List<StoredProfile>> SortedInMemoryAsync(Matches matches, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inMemorySorts);
        var query = matches.Read.Query;
        var all = new List<StoredProfile>();
        await using var select = matches.Command($"SELECT id, properties::text FROM profiles WHERE {matches.Sql};");
        await ReadAsync(select, query, all, null, cancellationToken).ConfigureAwait(false);
        all.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
        return all;
    }

    private static List<StoredProfile> Window(List<StoredProfile> ordered, ProfileQuery query) =>
        [.. ordered.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];

    private static void AddWindow(NpgsqlCommand command, ProfileQuery query)
    {
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Bigint) { Value = (object?)query.Limit ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("offset", NpgsqlDbType.Bigint) { Value = (long)query.Offset });
    }

    /// <summary>
    /// The matches of a query in its read's snapshot: <see cref="Sql"/> selects them (the decided
    /// rows and the undecided rows the evaluator kept, bound as <c>@extra</c>).
    /// </summary>
    private sealed class Matches(QueryRead read, string sql, string[] extraIds)
    {
        public QueryRead Read => read;

        public string Sql => sql;

        public long Total { get; set; }

        /// <summary>Whether SQL orders the matches: by id, or by a sort key none of whose values is a list or an object.</summary>
        public bool SortInSql { get; set; }

        public bool Sorted => read.Query.SortKey is not null;

        public string OrderBy => PostgresSortOrder.OrderBy(Sorted, read.Query.Descending);

        public NpgsqlCommand Command(string text, bool withSortKey = false)
        {
            var command = read.Command(text, withSortKey);
            if (extraIds.Length > 0)
            {
                command.Parameters.Add(new NpgsqlParameter("extra", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = extraIds });
            }

            return command;
        }
    }

    /// <summary>
    /// A read transaction (repeatable read: one snapshot) over the query's scope with its filter
    /// translated; null when nothing can match (a filter that is never true, or a project or
    /// group key no stored profile can have).
    /// </summary>
    private async Task<QueryRead?> OpenReadAsync(ProfileQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.ThrowIfInvalid();

        EnsureOpen();
        var filter = PostgresWhereTranslator.Translate(query.Where, query.Now);
        if (filter.IsNone || HasNul(new ProfileKey(query.Project, query.GroupKey, "")))
        {
            return null;
        }

        var ids = query.DistinctIds?.Where(id => !id.Contains('\0', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            return new QueryRead(query, filter, ids, connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One query's read transaction, and the commands it runs with the scope's and the filter's parameters.</summary>
    private sealed class QueryRead(ProfileQuery query, WhereTranslation filter, string[]? ids, NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public ProfileQuery Query => query;

        public WhereTranslation Filter => filter;

        public NpgsqlTransaction Transaction => transaction;

        /// <summary>The rows the query reads.</summary>
        public string Scope { get; } = "project = @project AND group_key = @group_key" + (ids is null ? "" : " AND id = ANY(@ids)");

        /// <summary>A command of <paramref name="sql"/> with the project's and the group key's parameters only.</summary>
        public NpgsqlCommand ProfilesCommand(string sql)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter("project", NpgsqlDbType.Text) { Value = query.Project });
            command.Parameters.Add(new NpgsqlParameter("group_key", NpgsqlDbType.Text) { Value = query.GroupKey });
            return command;
        }

        /// <summary>A command of <paramref name="sql"/> with the scope's and the filter's parameters, and <c>@sort_key</c> when <paramref name="withSortKey"/>.</summary>
        public NpgsqlCommand Command(string sql, bool withSortKey = false)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter("project", NpgsqlDbType.Text) { Value = query.Project });
            command.Parameters.Add(new NpgsqlParameter("group_key", NpgsqlDbType.Text) { Value = query.GroupKey });
            if (ids is not null)
            {
                command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            }

            if (withSortKey)
            {
                command.Parameters.Add(new NpgsqlParameter("sort_key", NpgsqlDbType.Text) { Value = query.SortKey ?? throw new InvalidOperationException("The query has no sort key to bind.") });
            }

            if (!filter.IsAll && !filter.IsUnknown)
            {
                foreach (var parameter in filter.CloneParameters())
                {
                    command.Parameters.Add(parameter);
                }
            }

            return command;
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ReadAsync(NpgsqlCommand command, ProfileQuery query, List<StoredProfile> into, Func<StoredProfile, bool>? keep, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var profile = new StoredProfile(new ProfileKey(query.Project, query.GroupKey, reader.GetString(0)), StoredProperties.Parse(reader.GetString(1)));
            if (keep is null || keep(profile))
            {
                into.Add(profile);
            }
        }
    }
}
