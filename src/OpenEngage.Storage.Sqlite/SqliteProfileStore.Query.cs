using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Query;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The query side: the where filter runs in SQL as far as <see cref="SqliteWhereTranslator"/>
/// can decide it exactly; the rows it leaves undecided are evaluated in memory, so the answer is
/// always the evaluator's. Sorted, the order is the reference order of <see cref="SortOrder"/>.
/// </summary>
public sealed partial class SqliteProfileStore
{
    public async Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            var sorted = await SortedInMemoryAsync(query, cancellationToken).ConfigureAwait(false);
            return new ProfilePage(Window(sorted, query), sorted.Count);
        }

        await using var snapshot = await OpenSnapshotAsync(plan, cancellationToken).ConfigureAwait(false);
        var (connection, transaction) = snapshot.Readers[0];
        var (total, ids) = await CountAndWindowAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);

        var profiles = new List<StoredProfile>();
        if (ids.Count > 0)
        {
            // The window's ids first, then their properties: a sort then holds ids, not profiles.
            var properties = new Dictionary<string, JsonObject>(ids.Count, StringComparer.Ordinal);
            await using (var rows = Command(connection, transaction, plan, "SELECT id, json(properties) FROM profiles WHERE project = $project AND group_key = $group_key AND id IN (SELECT value FROM json_each($page));"))
            {
                rows.Parameters.AddWithValue("$page", JsonSerializer.Serialize(ids));
                await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (reader.Read())
                {
                    properties[reader.GetString(0)] = StoredProperties.Parse(reader.GetString(1));
                }
            }

            foreach (var id in ids)
            {
                profiles.Add(new StoredProfile(new ProfileKey(query.Project, query.GroupKey, id), properties[id]));
            }
        }

        return new ProfilePage(profiles, total);
    }

    public async IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            foreach (var profile in Window(await SortedInMemoryAsync(query, cancellationToken).ConfigureAwait(false), query))
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
            return [.. Window(await SortedInMemoryAsync(query, cancellationToken).ConfigureAwait(false), query).Select(profile => profile.Key.Id)];
        }

        if (plan.Filter.IsNone)
        {
            return [];
        }

        await using var snapshot = await OpenSnapshotAsync(plan, cancellationToken).ConfigureAwait(false);
        var all = await AllIdsAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
        return [.. all.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];
    }

    /// <summary>
    /// Counts the matches and cuts the window from one snapshot and answers with them, keeping the
    /// snapshot's read transactions open for <see cref="IdSnapshot.ReadAllAsync"/>: a first page
    /// costs the count and the window, not the ordered list of every match.
    /// </summary>
    public async Task<IdSnapshot> SnapshotIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var plan = Plan(query);
        if (plan is null)
        {
            var sorted = await SortedInMemoryAsync(query, cancellationToken).ConfigureAwait(false);
            return IdSnapshot.FromIds([.. sorted.Select(profile => profile.Key.Id)], query);
        }

        if (plan.Filter.IsNone)
        {
            return IdSnapshot.FromIds([], query);
        }

        var snapshot = await OpenSnapshotAsync(plan, cancellationToken).ConfigureAwait(false);
        try
        {
            var (total, window) = await CountAndWindowAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
            var every = plan with { Query = query with { Offset = 0, Limit = null } };
            return new IdSnapshot(
                window,
                total,
                async token => await AllIdsAsync(snapshot, every, token).ConfigureAwait(false),
                snapshot.DisposeAsync);
        }
        catch
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The number of matches and the ids of the query's window, from one snapshot. In id order the
    /// window is found first: each part of the scan reads its matches in id order and stops at
    /// Offset + Limit of them, which is cheap when matches are common; when every part ran to its
    /// end (matches are rare), the window's scan has counted them all and no count runs. Sorted by
    /// a property with a filter, one scan per part counts the matches and keeps its first
    /// Offset + Limit of them in order, when SQL decides every row. Otherwise the matches are
    /// counted, then the window is cut.
    /// </summary>
    private async Task<(long Total, List<string> Window)> CountAndWindowAsync(SharedReadSnapshot snapshot, QueryPlan plan, CancellationToken cancellationToken)
    {
        var query = plan.Query;
        var wanted = query.Limit is { } limit ? (long)query.Offset + limit : long.MaxValue;
        if (plan.SortPath is null && !plan.Filter.IsNone && wanted is > 0 and <= MaxWindowFirst)
        {
            var parts = await InPartsAsync(snapshot, plan, (connection, transaction, part) => FirstMatchesPart(connection, transaction, part, (int)wanted, cancellationToken), cancellationToken).ConfigureAwait(false);
            List<string> window = [.. parts.SelectMany(part => part.Ids).Take((int)wanted).Skip(query.Offset)];
            if (parts.All(part => part.Exhausted))
            {
                return (parts.Sum(part => (long)part.Ids.Count), window);
            }

            Interlocked.Increment(ref _countScans);
            var (counted, undecided) = await CountAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
            return (counted + undecided.Count, window);
        }

        if (plan.SortPath is not null && plan.Filter.Where.Kind == SqlTruthKind.Sql && wanted is > 0 and <= MaxWindowFirst)
        {
            var parts = await InPartsAsync(snapshot, plan, (connection, transaction, part) => SortedWindowPart(connection, transaction, part, (int)wanted), cancellationToken).ConfigureAwait(false);
            if (parts.All(part => part.Undecided == 0))
            {
                List<string> window = [.. Merge([.. parts.Select(part => part.Rows)], query.Descending).Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];
                return (parts.Sum(part => part.Decided), window);
            }
        }

        Interlocked.Increment(ref _countScans);
        var (decided, extra) = await CountAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
        var total = decided + extra.Count;
        return (total, total > query.Offset && query.Limit is not 0 ? await WindowAsync(snapshot, plan, extra, cancellationToken).ConfigureAwait(false) : []);
    }

    /// <summary>
    /// Sorted by a property, in one scan of a part: its first <paramref name="wanted"/> matches in
    /// the plan's order (the sort key read only for the matches), the number of rows SQL decides as
    /// matching, and the number it leaves undecided. The counts ride on every row of the window
    /// (an aggregate over all matches, computed before the rows are sorted); a part without a
    /// match returns no row, and both counts are 0. When a part has undecided rows its window
    /// may lack some of them: the caller then counts and cuts the window the long way.
    /// </summary>
    private static (List<(string Id, SortValue Key)> Rows, long Decided, long Undecided) SortedWindowPart(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, int wanted)
    {
        using var command = Command(connection, transaction, plan, $"""
            SELECT id, k, count(*) FILTER (WHERE m = 1) OVER (), count(*) FILTER (WHERE m IS NULL) OVER () FROM (
                SELECT m, id, json_extract(properties, $sort_path) AS k FROM (
                    SELECT ({plan.Filter.Sql}) AS m, id, properties FROM {plan.Filter.Rows(plan.Scope)} LIMIT -1
                ) WHERE m IS NOT 0
            ) {plan.OrderBy} LIMIT $limit;
            """, Holds.Scope | Holds.Filter | Holds.SortKey);
        command.Parameters.AddWithValue("$limit", wanted);
        var rows = new List<(string, SortValue)>();
        long decided = 0, undecided = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), SortKey(reader, 1)));
            decided = reader.GetInt64(2);
            undecided = reader.GetInt64(3);
        }

        return (rows, decided, undecided);
    }

    /// <summary>How many pages were counted by a scan of their own (tests check that a rare match's window counts itself).</summary>
    internal long CountScans => Interlocked.Read(ref _countScans);

    private long _countScans;

    /// <summary>The largest Offset + Limit whose window is found before the count (deeper windows are cut after it).</summary>
    private const int MaxWindowFirst = 100_000;

    /// <summary>
    /// The first <paramref name="wanted"/> matches of one part of a scan in id order (undecided rows
    /// evaluated as they pass), and whether the part ended before that many were found.
    /// </summary>
    private static (List<string> Ids, bool Exhausted) FirstMatchesPart(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, int wanted, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        using var command = Command(connection, transaction, plan, ScanSql(plan, withProperties: false), ScanHolds(plan));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.IsDBNull(0))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!plan.Query.Where!.Matches(StoredProperties.Parse(reader.GetString(2)), plan.Query.Now))
                {
                    continue;
                }
            }

            ids.Add(reader.GetString(1));
            if (ids.Count == wanted)
            {
                return (ids, false);
            }
        }

        return (ids, true);
    }

    /// <summary>
    /// The ids of the query's window, in order: each part of the scan finds the first
    /// Offset + Limit of its own matches; merged, they hold the window.
    /// </summary>
    private static async Task<List<string>> WindowAsync(SharedReadSnapshot snapshot, QueryPlan plan, List<string> extra, CancellationToken cancellationToken)
    {
        var found = await InPartsAsync(snapshot, plan, (connection, transaction, part) => PagePart(connection, transaction, part, extra), cancellationToken).ConfigureAwait(false);
        return [.. InOrder(found, plan).Skip(plan.Query.Offset).Take(plan.Query.Limit ?? int.MaxValue)];
    }

    /// <summary>
    /// Every match in order, without the window. Each part of the scan runs on its own connection
    /// and thread, all on one snapshot.
    /// </summary>
    private static async Task<List<string>> AllIdsAsync(SharedReadSnapshot snapshot, QueryPlan plan, CancellationToken cancellationToken)
    {
        var found = await InPartsAsync(snapshot, plan, (connection, transaction, part) => ScanPart(connection, transaction, part, cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. InOrder(found, plan)];
    }

    /// <summary>
    /// Runs <paramref name="work"/> on every part of the plan at once, each part on its own reader
    /// of the snapshot and its own thread; the results come back in part order.
    /// </summary>
    private static Task<T[]> InPartsAsync<T>(SharedReadSnapshot snapshot, QueryPlan plan, Func<SqliteConnection, SqliteTransaction, QueryPlan, T> work, CancellationToken cancellationToken)
    {
        var parts = Parts(plan, snapshot);
        var running = new Task<T>[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            var (connection, transaction) = snapshot.Readers[i];
            var part = parts[i];
            running[i] = Task.Run(() => work(connection, transaction, part), cancellationToken);
        }

        return Task.WhenAll(running);
    }

    /// <summary>
    /// The parts' matches as one sequence in the plan's order: the parts follow each other in id
    /// order, so concatenated; sorted by a property, merged.
    /// </summary>
    private static IEnumerable<string> InOrder(List<(string Id, SortValue Key)>[] parts, QueryPlan plan) =>
        plan.SortPath is null ? parts.SelectMany(part => part.Select(row => row.Id)) : Merge(parts, plan.Query.Descending);

    /// <summary>The matches of one part of a scan, in the plan's order, with their sort keys.</summary>
    private static List<(string Id, SortValue Key)> ScanPart(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, CancellationToken cancellationToken)
    {
        var rows = new List<(string, SortValue)>();
        var sorted = plan.SortPath is not null;
        using var command = Command(connection, transaction, plan, ScanSql(plan, withProperties: false), ScanHolds(plan));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.IsDBNull(0))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!plan.Query.Where!.Matches(StoredProperties.Parse(reader.GetString(2)), plan.Query.Now))
                {
                    continue;
                }
            }

            rows.Add((reader.GetString(1), sorted ? SortKey(reader, 3) : SortValue.Missing));
        }

        return rows;
    }

    /// <summary>Merges parts sorted by (key, id) into one order: the reference order, ties by id.</summary>
    private static IEnumerable<string> Merge(List<(string Id, SortValue Key)>[] parts, bool descending)
    {
        var next = new int[parts.Length];
        while (true)
        {
            var best = -1;
            for (var i = 0; i < parts.Length; i++)
            {
                if (next[i] < parts[i].Count && (best < 0 || Precedes(parts[i][next[i]], parts[best][next[best]], descending)))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                yield break;
            }

            yield return parts[best][next[best]++].Id;
        }
    }

    private static bool Precedes((string Id, SortValue Key) left, (string Id, SortValue Key) right, bool descending) =>
        SortOrder.Compare(left.Key, left.Id, right.Key, right.Id, descending) < 0;

    /// <summary>
    /// The sort value of a <c>json_extract</c> column: null, a long, a double or a string (booleans
    /// arrive as 0 and 1, lists and objects as their JSON text), as <see cref="SortValue.Of"/> holds
    /// the same JSON value. SQLite's ORDER BY on these values is the reference order.
    /// </summary>
    private static SortValue SortKey(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal)
        ? SortValue.Missing
        : reader.GetValue(ordinal) switch
        {
            long integer => SortValue.FromInteger(integer),
            double real => SortValue.FromReal(real),
            string text => SortValue.FromText(text),
            var other => throw new InvalidDataException($"Not a value SQLite's json_extract returns: {other.GetType()}."),
        };

    /// <summary>
    /// The query without its window, every match read in id order and sorted in memory by the
    /// reference order: for a sort key SQLite's JSON paths cannot name.
    /// </summary>
    private async Task<List<StoredProfile>> SortedInMemoryAsync(ProfileQuery query, CancellationToken cancellationToken)
    {
        var byId = Plan(query with { SortKey = null, Offset = 0, Limit = null })!;
        var matches = new List<StoredProfile>();
        await foreach (var (id, properties) in ScanAsync(byId, withProperties: true, cancellationToken).ConfigureAwait(false))
        {
            matches.Add(new StoredProfile(new ProfileKey(query.Project, query.GroupKey, id), properties!));
        }

        matches.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
        return matches;
    }

    /// <summary>The query's window of a full ordered list.</summary>
    private static List<StoredProfile> Window(List<StoredProfile> ordered, ProfileQuery query) =>
        [.. ordered.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];

    /// <summary>
    /// Every match in order, in one scan: the filter is computed once per row (the subquery's
    /// LIMIT keeps SQLite from inlining it into the outer WHERE and SELECT), and the undecided rows
    /// come with their properties for the evaluator. The rows arrive in the order asked for, so no
    /// sort runs when that is the primary key's. The window applies after that.
    /// </summary>
    private async IAsyncEnumerable<(string Id, JsonObject? Properties)> ScanAsync(QueryPlan plan, bool withProperties, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (plan.Filter.IsNone)
        {
            yield break;
        }

        var sql = ScanSql(plan, withProperties);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = Command(connection, transaction, plan, sql, ScanHolds(plan));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var skip = plan.Query.Offset;
        var take = plan.Query.Limit ?? int.MaxValue;

        // Microsoft.Data.Sqlite reads synchronously; ReadAsync would only add a task per row.
        while (take > 0 && reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>
    /// Every match of the plan in its order, in one scan: <c>m</c> (1, or NULL for a row SQL leaves
    /// to the evaluator), <c>id</c>, the properties (every row's, or only the undecided rows'), and
    /// the sort key <c>k</c> when sorted. The filter is computed once per row (the LIMIT keeps
    /// SQLite from inlining the subquery into the outer WHERE and SELECT).
    /// </summary>
    private static string ScanSql(QueryPlan plan, bool withProperties)
    {
        if (plan.Filter.IsAll)
        {
            // Every row matches: one level, nothing to compute per row but the sort key.
            return $"""
                SELECT 1, id, {(withProperties ? "json(properties)" : "NULL")}{(plan.SortPath is null ? "" : ", json_extract(properties, $sort_path) AS k")}
                FROM profiles WHERE {plan.Scope} {plan.OrderBy};
                """;
        }

        var properties = withProperties ? "json(properties)" : "CASE WHEN m IS NULL THEN json(properties) END";
        var sortColumn = plan.SortPath is null ? "" : ", k";
        return $"""
            SELECT m, id, {properties}{sortColumn} FROM (
                SELECT ({plan.Filter.Sql}) AS m, id, properties{sortColumn} FROM {Rows(plan)} {PassOrder(plan)} LIMIT -1
            ) WHERE m IS NOT 0 {plan.OrderBy};
            """;
    }

    /// <summary>How many queries ran split into parts (tests check that the split path runs).</summary>
    internal long SplitScans => Interlocked.Read(ref _splitScans);

    /// <summary>
    /// Read connections on one snapshot, one per part of the scope's split, with the split points
    /// that hold for every scan on that snapshot (none when SQLite could not share it).
    /// </summary>
    private async Task<SharedReadSnapshot> OpenSnapshotAsync(QueryPlan plan, CancellationToken cancellationToken)
    {
        var points = plan.Query.DistinctIds is null && !plan.Filter.IsNone ? _partitions.SplitPoints(plan.Query.Project, plan.Query.GroupKey) : [];
        var snapshot = await SharedReadSnapshot.OpenAsync(OpenReaderAsync, points.Count + 1, cancellationToken).ConfigureAwait(false);
        if (points.Count > 0 && snapshot.Readers.Count == points.Count + 1)
        {
            snapshot.SplitPoints = points;
            Interlocked.Increment(ref _splitScans);
        }

        return snapshot;
    }

    /// <summary>The plan cut into consecutive id ranges at the snapshot's split points, one per reader.</summary>
    private static List<QueryPlan> Parts(QueryPlan plan, SharedReadSnapshot snapshot)
    {
        var points = snapshot.SplitPoints;
        var parts = new List<QueryPlan>(points.Count + 1);
        for (var i = 0; i <= points.Count; i++)
        {
            parts.Add(plan with { From = i == 0 ? null : points[i - 1], To = i == points.Count ? null : points[i] });
        }

        return parts;
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

        var orderBy = sortPath is null
            ? "ORDER BY id"
            : $"ORDER BY k{(query.Descending ? " DESC" : "")}, id";
        return new QueryPlan(query, SqliteWhereTranslator.Translate(query.Where, query.Now), orderBy, sortPath);
    }

    /// <summary>
    /// The profiles in the query's scope, in its order, with the columns its filter reads (and the
    /// sort key as <c>k</c>); a query selecting from them in the same order needs no sort.
    /// </summary>
    private static string Rows(QueryPlan plan) => plan.SortPath is null
        ? plan.Filter.Rows(plan.Scope, orderBy: plan.OrderBy)
        : plan.Filter.Rows(plan.Scope, ", json_extract(properties, $sort_path) AS k");

    /// <summary>
    /// The ORDER BY of a subquery between <see cref="Rows"/> and an outer query in the same order:
    /// the primary key's order passes through it without a sort. A sort by a property is left to
    /// the outermost query, which sorts only the matches, without their properties.
    /// </summary>
    private static string PassOrder(QueryPlan plan) => plan.SortPath is null ? plan.OrderBy : "";

    /// <summary>
    /// In one scan: the number of rows SQL decides as matching, and (evaluated in memory) the ids
    /// of the undecided rows that match. The subquery's LIMIT keeps SQLite from flattening it into
    /// the aggregate, which would compute the filter once per FILTER clause.
    /// </summary>
    private static async Task<(long Decided, List<string> Extra)> CountAsync(SharedReadSnapshot snapshot, QueryPlan plan, CancellationToken cancellationToken)
    {
        var (connection, transaction) = snapshot.Readers[0];
        if (plan.Filter.IsNone)
        {
            return (0, []);
        }

        if (plan.Filter.IsUnknown)
        {
            return (0, await UndecidedMatchesAsync(connection, transaction, plan, cancellationToken).ConfigureAwait(false));
        }

        long decided = 0;
        var ids = new List<string>();
        foreach (var (partDecided, partUndecided) in await InPartsAsync(snapshot, plan, CountPart, cancellationToken).ConfigureAwait(false))
        {
            decided += partDecided;
            ids.AddRange(partUndecided);
        }

        if (ids.Count == 0)
        {
            return (decided, []);
        }

        await using var rows = Command(connection, transaction, plan, "SELECT id, json(properties) FROM profiles WHERE project = $project AND group_key = $group_key AND id IN (SELECT value FROM json_each($undecided));");
        rows.Parameters.AddWithValue("$undecided", JsonSerializer.Serialize(ids));
        return (decided, await EvaluatedMatchesAsync(rows, plan, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>In one scan of a part: the number of rows SQL decides as matching, and the ids of the undecided rows.</summary>
    private static (long Decided, List<string> Undecided) CountPart(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan)
    {
        using var count = Command(connection, transaction, plan, $"""
            SELECT count(*) FILTER (WHERE m = 1), json_group_array(id) FILTER (WHERE m IS NULL)
            FROM (SELECT ({plan.Filter.Sql}) AS m, id FROM {plan.Filter.Rows(plan.Scope)} LIMIT -1);
            """, Holds.Scope | Holds.Filter);
        using var reader = count.ExecuteReader();
        reader.Read();
        var undecided = reader.IsDBNull(1) ? null : JsonSerializer.Deserialize<List<string>>(reader.GetString(1));
        return (reader.GetInt64(0), undecided ?? []);
    }

    /// <summary>Evaluates every row of the scope in memory (SQL decides nothing of the filter) and returns the ids that match.</summary>
    private static async Task<List<string>> UndecidedMatchesAsync(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, plan, $"SELECT id, json(properties) FROM profiles WHERE {plan.Scope};", Holds.Scope);
        return await EvaluatedMatchesAsync(command, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ids of the rows (id, properties) <paramref name="command"/> reads whose properties the evaluator matches.</summary>
    private static async Task<List<string>> EvaluatedMatchesAsync(SqliteCommand command, QueryPlan plan, CancellationToken cancellationToken)
    {
        var matches = new List<string>();
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
            ? decided
            : $"({decided} OR id IN (SELECT value FROM json_each($extra)))";
    }

    /// <summary>What a command's SQL holds besides <c>$project</c> and <c>$group_key</c>, and so which parameters it binds.</summary>
    [Flags]
    private enum Holds
    {
        /// <summary>Only the project and the group key.</summary>
        None = 0,

        /// <summary>The plan's <see cref="QueryPlan.Scope"/>: <c>$ids</c>, <c>$from</c>, <c>$to</c> as the plan has them.</summary>
        Scope = 1,

        /// <summary>The translated filter, or the rows it runs on: every parameter of the translation.</summary>
        Filter = 2,

        /// <summary>The sort key, <c>$sort_path</c>, when the plan sorts by a property.</summary>
        SortKey = 4,
    }

    /// <summary>What <see cref="ScanSql"/> holds: the filter only when it is not the constant 1.</summary>
    private static Holds ScanHolds(QueryPlan plan) => Holds.Scope | Holds.SortKey | (plan.Filter.IsAll ? Holds.None : Holds.Filter);

    /// <summary>A command of <paramref name="sql"/> that binds exactly the parameters <paramref name="holds"/> names.</summary>
    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, string sql, Holds holds = Holds.None)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$project", plan.Query.Project);
        command.Parameters.AddWithValue("$group_key", plan.Query.GroupKey);
        if (holds.HasFlag(Holds.Scope))
        {
            if (plan.Query.DistinctIds is { } ids)
            {
                command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids));
            }

            if (plan.From is { } from)
            {
                command.Parameters.AddWithValue("$from", from);
            }

            if (plan.To is { } to)
            {
                command.Parameters.AddWithValue("$to", to);
            }
        }

        if (holds.HasFlag(Holds.SortKey) && plan.SortPath is { } path)
        {
            command.Parameters.AddWithValue("$sort_path", path);
        }

        if (holds.HasFlag(Holds.Filter))
        {
            SqlCommandBuilder.Bind(command, plan.Filter.Parameters);
        }

        return command;
    }

    /// <summary>The first Offset + Limit matches of one part of a scan, in the plan's order, with their sort keys.</summary>
    private static List<(string Id, SortValue Key)> PagePart(SqliteConnection connection, SqliteTransaction transaction, QueryPlan plan, List<string> extra)
    {
        var sorted = plan.SortPath is not null;
        using var page = Command(connection, transaction, plan, $"SELECT id{(sorted ? ", k" : "")} FROM {Rows(plan)} WHERE {Matching(plan, extra)} {plan.OrderBy} LIMIT $limit;", Holds.Scope | Holds.Filter | Holds.SortKey);
        page.Parameters.AddWithValue("$limit", plan.Query.Limit is { } limit ? (long)plan.Query.Offset + limit : -1);
        if (extra.Count > 0)
        {
            page.Parameters.AddWithValue("$extra", JsonSerializer.Serialize(extra));
        }

        var rows = new List<(string, SortValue)>();
        using var reader = page.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), sorted ? SortKey(reader, 1) : SortValue.Missing));
        }

        return rows;
    }

    /// <summary>How one query runs in SQL; <see cref="From"/> and <see cref="To"/> bound one part of a parallel scan.</summary>
    private sealed record QueryPlan(ProfileQuery Query, SqliteWhereTranslator.Translation Filter, string OrderBy, string? SortPath)
    {
        /// <summary>The first id of this part (inclusive); null: from the first id of the scope.</summary>
        public string? From { get; init; }

        /// <summary>The id this part stops before; null: to the last id of the scope.</summary>
        public string? To { get; init; }

        /// <summary>The rows the query reads.</summary>
        public string Scope => "project = $project AND group_key = $group_key"
            + (Query.DistinctIds is null ? "" : " AND id IN (SELECT value FROM json_each($ids))")
            + (From is null ? "" : " AND id >= $from")
            + (To is null ? "" : " AND id < $to");
    }
}
