using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The query side: the where filter runs in SQL as far as <see cref="PostgresWhereTranslator"/>
/// can decide it exactly; the rows it leaves undecided are evaluated in memory, so the answer is
/// always the evaluator's. Ordered by id, the window is taken in SQL and a stream reads rows as they
/// arrive; ordered by a property, the matches are ordered in memory by the reference order
/// (<see cref="ProfileOrder"/>).
/// </summary>
public sealed partial class PostgresProfileStore
{
    public async Task<ProfilePage> QueryAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        var (profiles, total) = await RunAsync(query, cancellationToken).ConfigureAwait(false);
        return new ProfilePage(profiles, total);
    }

    /// <summary>
    /// Ordered by id, one scan in one snapshot whose rows are read as the caller consumes them: the
    /// undecided rows are evaluated as they pass, and the window is counted off the matches. Ordered
    /// by a property, every match is read and sorted first.
    /// </summary>
    public async IAsyncEnumerable<StoredProfile> StreamAsync(ProfileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.SortKey is not null)
        {
            var (profiles, _) = await RunAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var profile in profiles)
            {
                yield return profile;
            }

            yield break;
        }

        await using var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null || query.Limit is 0)
        {
            yield break;
        }

        var filter = read.Filter;
        var (decision, matching) = filter.IsAll ? ("TRUE", "") : filter.IsUnknown ? ("NULL::boolean", "") : ($"({filter.Sql})", $" AND ({filter.Sql}) IS NOT FALSE");

        // COLLATE "C": ordered by code point, whatever the database's collation.
        await using var command = read.Command($"SELECT id, properties::text, {decision} FROM profiles WHERE {read.Scope}{matching} ORDER BY id COLLATE \"C\";");
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
        var (profiles, _) = await RunAsync(query, cancellationToken).ConfigureAwait(false);
        return [.. profiles.Select(profile => profile.Key.Id)];
    }

    /// <summary>Every matching id first, in one snapshot; the window is cut from them.</summary>
    public async Task<IdSnapshot> SnapshotIdsAsync(ProfileQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var all = await QueryIdsAsync(query with { Offset = 0, Limit = null }, cancellationToken).ConfigureAwait(false);
        return IdSnapshot.FromIds(all, query);
    }

    /// <summary>The query's window of matches, in its order, and the number of matches in all; one snapshot.</summary>
    private async Task<(IReadOnlyList<StoredProfile> Profiles, long Total)> RunAsync(ProfileQuery query, CancellationToken cancellationToken)
    {
        await using var read = await OpenReadAsync(query, cancellationToken).ConfigureAwait(false);
        if (read is null)
        {
            return ([], 0);
        }

        var (filter, scope, transaction) = (read.Filter, read.Scope, read.Transaction);
        NpgsqlCommand Command(string sql) => read.Command(sql);

        // The rows SQL leaves undecided, evaluated in memory.
        var extra = new List<StoredProfile>();
        if (!filter.IsAll)
        {
            var undecided = filter.IsUnknown ? scope : $"{scope} AND ({filter.Sql}) IS NULL";
            await using var command = Command($"SELECT id, properties::text FROM profiles WHERE {undecided};");
            await ReadAsync(command, query, extra, profile => query.Where!.Matches(profile.Properties, query.Now), cancellationToken).ConfigureAwait(false);
        }

        var decided = filter.IsUnknown ? "FALSE" : filter.Sql;
        IReadOnlyList<StoredProfile> window;
        long total;
        if (query.SortKey is null)
        {
            var extraIds = extra.Select(profile => profile.Key.Id).ToArray();
            var matching = extraIds.Length == 0 ? $"{scope} AND ({decided})" : $"{scope} AND (({decided}) OR id = ANY(@extra))";
            await using (var count = Command($"SELECT count(*) FROM profiles WHERE {matching};"))
            {
                if (extraIds.Length > 0)
                {
                    count.Parameters.Add(new NpgsqlParameter("extra", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = extraIds });
                }

                total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            var page = new List<StoredProfile>();
            if (total > query.Offset && query.Limit is not 0)
            {
                // COLLATE "C": ordered by code point, whatever the database's collation.
                await using var select = Command($"SELECT id, properties::text FROM profiles WHERE {matching} ORDER BY id COLLATE \"C\" LIMIT @limit OFFSET @offset;");
                if (extraIds.Length > 0)
                {
                    select.Parameters.Add(new NpgsqlParameter("extra", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = extraIds });
                }

                select.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Bigint) { Value = (object?)query.Limit ?? DBNull.Value });
                select.Parameters.Add(new NpgsqlParameter("offset", NpgsqlDbType.Bigint) { Value = (long)query.Offset });
                await ReadAsync(select, query, page, null, cancellationToken).ConfigureAwait(false);
            }

            window = page;
        }
        else
        {
            var all = extra;
            if (!filter.IsUnknown)
            {
                await using var select = Command($"SELECT id, properties::text FROM profiles WHERE {scope} AND ({decided});");
                await ReadAsync(select, query, all, null, cancellationToken).ConfigureAwait(false);
            }

            all.Sort(ProfileOrder.Comparer(query.SortKey, query.Descending));
            total = all.Count;
            window = [.. all.Skip(query.Offset).Take(query.Limit ?? int.MaxValue)];
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (window, total);
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
        public WhereTranslation Filter => filter;

        public NpgsqlTransaction Transaction => transaction;

        /// <summary>The rows the query reads.</summary>
        public string Scope { get; } = "project = @project AND group_key = @group_key" + (ids is null ? "" : " AND id = ANY(@ids)");

        public NpgsqlCommand Command(string sql)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter("project", NpgsqlDbType.Text) { Value = query.Project });
            command.Parameters.Add(new NpgsqlParameter("group_key", NpgsqlDbType.Text) { Value = query.GroupKey });
            if (ids is not null)
            {
                command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
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
