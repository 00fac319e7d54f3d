using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The write side of the PostgreSQL store: its own group commit writer loop over the shared
/// <see cref="GroupCommitQueue"/>, and the transaction that commits one group (see the remarks of
/// <see cref="PostgresProfileStore"/>).
/// </summary>
public sealed partial class PostgresProfileStore
{
    /// <summary>
    /// The writer loop: takes each group queued, commits it in one transaction and completes its
    /// callers; a group whose data the server refused is isolated, any other failure fails it.
    /// </summary>
    private async Task WriterLoopAsync()
    {
        var health = _commits.Health;
        while (await _commits.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_commits.TakeGroup() is not { } group)
            {
                continue;
            }

            ApplyResult[][] results;
            var started = health.CommitStarting();
            try
            {
                results = await CommitGroupAsync(group.Batches, group.UpdateCount).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsCausedByUpdates(exception))
            {
                health.CommitFinished(started, group.UpdateCount, succeeded: null);
                await group.IsolateAsync(CommitGroupAsync, IsCausedByUpdates, exception).ConfigureAwait(false);
                continue;
            }
            catch (Exception exception)
            {
                health.CommitFinished(started, group.UpdateCount, succeeded: false);
                group.Fail(exception);
                continue;
            }

            health.CommitFinished(started, group.UpdateCount, succeeded: true);
            group.Complete(results);
        }
    }

    /// <summary>
    /// From how many record-log rows a group writes them with <c>COPY</c> instead of in its write
    /// batch (see docs/benchmarks.md, "History on PostgreSQL"); tests lower it to run both ways.
    /// </summary>
    internal int CopyLogRowsFrom { get; init; } = 500;

    // ---- Everything below runs in the writer loop only (after InitializeAsync). ----

    /// <summary>
    /// Commits one group in one transaction, retrying a serialization failure or deadlock; on any
    /// other failure nothing of the group is stored and the exception propagates.
    /// </summary>
    private async Task<ApplyResult[][]> CommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group, int updateCount)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryCommitGroupAsync(group).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                                                     && attempt < _maxRetries)
            {
                Interlocked.Increment(ref _retries);
                _logger.Retrying(exception.SqlState, attempt + 1, Database, Host);
                var delay = Math.Min(1000, 5 << Math.Min(attempt, 8));
                await Task.Delay(delay / 2 + Random.Shared.Next(delay / 2 + 1)).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogCommitFailure(exception, group.Count, updateCount);

                // The transaction rolled back (or the outcome is unknown); start again on a fresh connection.
                await CloseWriterAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                _working.Clear();
            }
        }
    }

    private async Task<ApplyResult[][]> TryCommitGroupAsync(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group)
    {
        _writer ??= await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = _writer;

        // The distinct keys of the group, in the order their locks are taken.
        var keys = new Dictionary<ProfileKey, long>();
        foreach (var updates in group)
        {
            foreach (var update in updates)
            {
                var key = update.Key;
                if (!HasNul(key))
                {
                    keys.TryAdd(key, LockId(key));
                }
            }
        }

        var lockIds = keys.Values.Distinct().Order().ToArray();

        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted).ConfigureAwait(false);

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = on;"));
            var lockCommand = new NpgsqlBatchCommand("SELECT count(pg_advisory_xact_lock(l)) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(l, n);");
            lockCommand.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = lockIds });
            batch.BatchCommands.Add(lockCommand);

            // With history on, each profile's newest logged time comes too: from its row, or from
            // log_heads for a profile with history and no row.
            batch.BatchCommands.Add(KeysCommand(History.Enabled
                ? """
                SELECT k.project, k.group_key, k.id, p.properties::text, coalesce(p.log_time, l.log_time)
                FROM unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
                LEFT JOIN profiles p ON p.project = k.project AND p.group_key = k.group_key AND p.id = k.id
                LEFT JOIN log_heads l ON p.id IS NULL AND l.project = k.project AND l.group_key = k.group_key AND l.id = k.id
                WHERE p.id IS NOT NULL OR l.id IS NOT NULL;
                """
                : """
                SELECT p.project, p.group_key, p.id, p.properties::text, NULL::bigint
                FROM profiles p
                JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
                  ON p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
                """, Columns(keys.Keys)));

            foreach (var key in keys.Keys)
            {
                _working.Add(key, ProfileState.Missing);
            }

            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            // The reader starts on the first result set (the lock count; SET has none); next come the profiles.
            if (!await reader.NextResultAsync().ConfigureAwait(false))
            {
                throw new InvalidOperationException("PostgreSQL returned no profile rows result.");
            }

            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var key = new ProfileKey(reader.GetString(0), reader.GetString(1), reader.GetString(2));
                if (!reader.IsDBNull(3))
                {
                    _working.Add(key, StoredProperties.Parse(reader.GetString(3)));
                }

                if (!reader.IsDBNull(4))
                {
                    _working.SetLatest(key, reader.GetInt64(4));
                }
            }
        }

        _transaction = transaction;

        var results = new ApplyResult[group.Count][];
        for (var i = 0; i < group.Count; i++)
        {
            var updates = group[i];
            var batch = new ApplyResult[updates.Count];
            for (var j = 0; j < updates.Count; j++)
            {
                batch[j] = ApplyToWorkingSet(updates[j]);
            }

            results[i] = batch;
        }

        _transaction = null;
        var upserts = new List<(ProfileKey Key, string Json, long Latest)>();
        var deletes = new List<ProfileKey>();
        var logs = new List<WorkingProfile>();
        var heads = new LogHeads();
        foreach (var profile in _working)
        {
            var logged = profile.Log.Count > 0 || profile.RewriteAfter is not null;
            if (logged)
            {
                logs.Add(profile);
            }

            if (profile.Dirty && profile.Current is { } properties)
            {
                upserts.Add((profile.Key, StoredProperties.Serialize(properties), profile.Latest));
                continue;
            }

            if (profile.Dirty && profile.Stored)
            {
                deletes.Add(profile.Key);
            }

            if (logged)
            {
                heads.Add(profile);
            }
        }

        var rewritten = logs.Where(p => p.RewriteAfter is not null).ToList();
        var logRows = logs.Sum(p => p.Log.Count);
        var copyLogs = logRows >= CopyLogRowsFrom;
        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            AddChanges(write, _working.Changes, rewritten);
            AddLogRewrites(write, rewritten);
            if (!copyLogs)
            {
                AddLogInserts(write, logs, logRows);
            }

            if (upserts.Count > 0)
            {
                var (projects, groupKeys, ids) = Columns(upserts.Select(u => u.Key));
                var upsert = new NpgsqlBatchCommand(History.Enabled
                    ? """
                    INSERT INTO profiles (project, group_key, id, properties, log_time)
                    SELECT k.project, k.group_key, k.id, k.properties::jsonb, k.log_time
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS k(project, group_key, id, properties, log_time)
                    ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties, log_time = excluded.log_time;
                    """
                    : """
                    INSERT INTO profiles (project, group_key, id, properties)
                    SELECT k.project, k.group_key, k.id, k.properties::jsonb
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(project, group_key, id, properties)
                    ON CONFLICT (project, group_key, id) DO UPDATE SET properties = excluded.properties;
                    """);
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = projects });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groupKeys });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
                upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. upserts.Select(u => u.Json)] });
                if (History.Enabled)
                {
                    upsert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. upserts.Select(u => u.Latest)] });
                }

                write.BatchCommands.Add(upsert);
            }

            if (deletes.Count > 0)
            {
                write.BatchCommands.Add(KeysCommand("""
                    DELETE FROM profiles p
                    USING unnest($1::text[], $2::text[], $3::text[]) AS k(project, group_key, id)
                    WHERE p.project = k.project AND p.group_key = k.group_key AND p.id = k.id;
                    """, Columns(deletes)));
            }

            heads.AddWrites(write);
            if (write.BatchCommands.Count > 0)
            {
                await write.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }

        if (copyLogs && logRows > 0)
        {
            await CopyLogsAsync(connection, logs).ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return results;
    }

    private ApplyResult ApplyToWorkingSet(ProfileUpdate update)
    {
        if (HasNul(update))
        {
            // PostgreSQL text and jsonb cannot hold U+0000.
            return new ApplyResult(ApplyStatus.Rejected, null, new RecordError("", "the record holds the character U+0000, which this store cannot keep"), update.Warnings);
        }

        // Every key of the group was added to the working set before its updates are applied.
        return _working.Apply(update);
    }

    /// <summary>
    /// A batch command whose parameters are the columns of some profile keys (<c>$1</c> projects,
    /// <c>$2</c> group keys, <c>$3</c> ids, see <see cref="Columns"/>) and, when given, one value per
    /// key (<c>$4</c>).
    /// </summary>
    internal static NpgsqlBatchCommand KeysCommand(string sql, (string[] Projects, string[] GroupKeys, string[] Ids) keys, long[]? values = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys.Projects });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys.GroupKeys });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys.Ids });
        if (values is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = values });
        }

        return command;
    }

    internal static (string[] Projects, string[] GroupKeys, string[] Ids) Columns(IEnumerable<ProfileKey> keys)
    {
        var list = keys as IReadOnlyCollection<ProfileKey> ?? [.. keys];
        var projects = new string[list.Count];
        var groupKeys = new string[list.Count];
        var ids = new string[list.Count];
        var i = 0;
        foreach (var key in list)
        {
            projects[i] = key.Project;
            groupKeys[i] = key.GroupKey;
            ids[i] = key.Id;
            i++;
        }

        return (projects, groupKeys, ids);
    }

    /// <summary>
    /// The advisory lock id of a profile key: the first 8 bytes of SHA-256 over the length-prefixed
    /// UTF-8 parts. Computed here, not by the server, so it never depends on the server's version.
    /// </summary>
    internal static long LockId(ProfileKey key)
    {
        var parts = new[] { key.Project, key.GroupKey, key.Id };
        var buffer = new List<byte>(64);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.AddRange(length.ToArray());
            buffer.AddRange(bytes);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(CollectionsMarshal.AsSpan(buffer), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    private static bool HasNul(ProfileKey key) =>
        key.Project.Contains('\0', StringComparison.Ordinal) || key.GroupKey.Contains('\0', StringComparison.Ordinal) || key.Id.Contains('\0', StringComparison.Ordinal);

    private static bool HasNul(ProfileUpdate update)
    {
        if (HasNul(update.Key))
        {
            return true;
        }

        static bool Text(string? s) => s is not null && s.Contains('\0', StringComparison.Ordinal);

        static bool Node(JsonNode? node) => node switch
        {
            null => false,
            JsonObject o => o.Any(p => Text(p.Key) || Node(p.Value)),
            JsonArray a => a.Any(Node),
            JsonValue v => v.GetValueKind() == JsonValueKind.String && Text(v.GetValue<string>()),
            _ => false,
        };

        static bool Pairs<T>(IReadOnlyList<KeyValuePair<string, T>>? pairs, Func<T, bool> value) =>
            pairs is not null && pairs.Any(p => Text(p.Key) || value(p.Value));

        return Pairs(update.Operations.Set, Node) || Pairs(update.Operations.SetOnce, Node) || Pairs(update.Operations.Add, _ => false)
            || Pairs(update.Operations.Union, Node) || Pairs(update.Operations.Append, Node) || Pairs(update.Operations.Remove, Node)
            || (update.Operations.Unset?.Any(Text) ?? false)
            || (update.Operations.SetsProperties && update.Geo is { } geo && geo.Properties().Any(p => Text(p.Value)));
    }
}
