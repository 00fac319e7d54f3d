using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Sqlite;

/// <summary>The work of the two stages: preparing a group on the first, committing it on the second.</summary>
internal sealed partial class SqliteWriteStage
{
    /// <summary>
    /// First stage: applies a group's updates in queue order on top of the committed state and the
    /// state of the group being committed, and serialises every changed profile. Nothing is
    /// written; the changed profiles are recorded as uncommitted, so the next group sees them.
    /// Throwing leaves the state as it was.
    /// </summary>
    public SqlitePreparedGroup Prepare(IReadOnlyList<IReadOnlyList<ProfileUpdate>> group, int updateCount)
    {
        OnGroupTaken?.Invoke();
        try
        {
            var results = new ApplyResult[group.Count][];
            for (var i = 0; i < group.Count; i++)
            {
                var updates = group[i];
                var batch = new ApplyResult[updates.Count];
                for (var j = 0; j < updates.Count; j++)
                {
                    batch[j] = _working.Apply(updates[j]);
                }

                results[i] = batch;
            }

            var refolded = RefoldedProfileChanges();
            var texts = new Utf8TextArena();
            var rows = new SqlitePreparedRow[_working.Count];
            var n = 0;
            foreach (var profile in _working)
            {
                var json = profile.Dirty && profile.Current is { } properties ? StoredProperties.SerializeToUtf8(properties, texts) : (ReadOnlyMemory<byte>?)null;
                var log = _working.RecordChanges && (profile.Log.Count > 0 || profile.RewriteAfter is not null)
                    ? SqlitePreparedLog.Add(_preparedLogRows, profile, refolded?.GetValueOrDefault(profile.Key), texts)
                    : (SqlitePreparedLog?)null;
                rows[n++] = new SqlitePreparedRow(profile.Key, profile.Current, json, profile.Dirty, profile.Stored, profile.Latest, log, _heads.GetValueOrDefault(profile.Key, SqliteChainHead.InRow));
            }

            var prepared = new SqlitePreparedGroup(results, rows, [.. _preparedLogRows], texts, ++_preparedGroups, group.Count, updateCount);
            foreach (var row in rows)
            {
                if (row.Dirty || row.Logged)
                {
                    _uncommitted[row.Key] = new Uncommitted(row.Profile, row.Latest, prepared.Sequence);
                }
            }

            return prepared;
        }
        finally
        {
            _working.Clear();
            _heads.Clear();
            _preparedLogRows.Clear();
        }
    }

    /// <summary>
    /// The group's changes of each profile a late record re-folded, in apply order: they become
    /// feed-only rows (<see cref="SqlitePreparedLog.Add"/>). Null when no profile was re-folded,
    /// which is nearly always.
    /// </summary>
    private Dictionary<ProfileKey, List<ProfileChange>>? RefoldedProfileChanges()
    {
        Dictionary<ProfileKey, List<ProfileChange>>? refolded = null;
        foreach (var profile in _working)
        {
            if (profile.RewriteAfter is not null)
            {
                (refolded ??= [])[profile.Key] = [];
            }
        }

        if (refolded is not null)
        {
            foreach (var change in _working.Changes)
            {
                refolded.GetValueOrDefault(change.Key)?.Add(change);
            }
        }

        return refolded;
    }

    /// <summary>
    /// Second stage: writes a prepared group and commits it in one transaction. Returns false,
    /// having written nothing, when the state it was prepared on is stale (another connection
    /// committed since); on failure nothing of the group is stored and the exception propagates.
    /// </summary>
    public bool Commit(SqlitePreparedGroup prepared)
    {
        OnCommitStarting?.Invoke();

        // Before SQLite touches the files: its WAL index is memory-mapped, and writing to it once
        // the files cannot be written kills the process (see SqliteWriteStage.Writability.cs).
        EnsureDataFilesWritable();
        try
        {
            if (_writer is null)
            {
                // A fresh connection after a failure: what the group was prepared on may have been
                // changed by another connection before this one started watching, so prepare again.
                OpenWriter(migrate: false);
                return false;
            }

            using var transaction = _writer!.BeginTransaction(deferred: false);
            if (ChangedElsewhere(transaction))
            {
                return false;
            }

            // Every profile's log rows first (appended to the table's end, one after another), then
            // the profile rows, each with its chain's new head.
            var heads = AppendLogs(prepared);
            for (var i = 0; i < prepared.Rows.Length; i++)
            {
                var row = prepared.Rows[i];
                var head = row.Logged ? heads[i] : null;
                if (row.Dirty)
                {
                    WriteProfile(row, head);
                }

                if (row.Logged)
                {
                    StoreHead(row, head);
                }
            }

            transaction.Commit();
            RecordCommittedFrames();
            return true;
        }
        catch (Exception exception)
        {
            LogCommitFailure(exception, prepared.RequestCount, prepared.UpdateCount);

            // The transaction rolled back (or never began); start again from a fresh connection.
            CloseWriter();
            throw;
        }
    }

    /// <summary>
    /// First stage: the group is committed; its profiles become committed state, and its texts'
    /// arrays go back to the pool (a group that is dropped instead leaves them to the collector).
    /// </summary>
    public void Committed(SqlitePreparedGroup prepared)
    {
        prepared.Texts.Release();
        foreach (var row in prepared.Rows)
        {
            _cache.Set(row.Key, row.Profile, row.Latest);
            if (_uncommitted.TryGetValue(row.Key, out var pending) && pending.Sequence == prepared.Sequence)
            {
                _uncommitted.Remove(row.Key);
            }
        }
    }

    /// <summary>First stage: a commit failed or was stale; forget everything that is not known to be committed.</summary>
    public void Discard()
    {
        _uncommitted.Clear();
        _cache.Clear();
    }

    /// <summary>
    /// The state a group's first update of a profile starts from: the group being committed (or
    /// prepared just before), whose state is the newest and will be stored before anything prepared
    /// now; else the cache; else the database.
    /// </summary>
    private ProfileState LoadCurrent(ProfileKey key) =>
        _uncommitted.TryGetValue(key, out var pending) ? new ProfileState(pending.Profile, pending.Latest)
        : _cache.TryGetState(key, out var cached) ? cached
        : Load(key);

    /// <summary>
    /// Whether another connection committed since this one last looked: the group was then prepared
    /// on a cache that may no longer hold the committed state. Runs inside the write transaction, so
    /// no other writer can commit until this group is done.
    /// </summary>
    private bool ChangedElsewhere(SqliteTransaction transaction)
    {
        _dataVersion!.Transaction = transaction;
        var version = (long)_dataVersion.ExecuteScalar()!;
        if (version == _lastDataVersion)
        {
            return false;
        }

        _lastDataVersion = version;
        return true;
    }
}
