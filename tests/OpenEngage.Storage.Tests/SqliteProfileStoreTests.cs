using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;
using static OpenEngage.Storage.Tests.SqlitePipelineHooks;

namespace OpenEngage.Storage.Tests;

public sealed class SqliteProfileStoreTests : ProfileStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-storage-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteProfileStore> _extraStores = [];
    private int _created;
    private string? _current;

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine)
    {
        _current = Path.Combine(_root, $"store-{_created++}");
        return OpenAsync(_current, engine);
    }

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) =>
        OpenAsync(_current ?? throw new InvalidOperationException("No store was created yet."), engine);

    protected override Task RefuseIdInDatabaseAsync(string id) => ExecuteInDatabaseAsync($"""
        CREATE TRIGGER refuse_insert BEFORE INSERT ON profiles WHEN NEW.id = '{id}' BEGIN SELECT RAISE(ABORT, 'profile {id} refused by a test trigger'); END;
        CREATE TRIGGER refuse_update BEFORE UPDATE ON profiles WHEN NEW.id = '{id}' BEGIN SELECT RAISE(ABORT, 'profile {id} refused by a test trigger'); END;
        """);

    protected override Task ExecuteInDatabaseAsync(string sql)
    {
        SqliteTestStores.ExecuteInDatabase(_current!, sql);
        return Task.CompletedTask;
    }

    private static async Task<IProfileStore> OpenAsync(string path, ProfileEngine engine)
    {
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = path }, engine, NullLogger<SqliteProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }

    private async Task<SqliteProfileStore> NewSqliteStoreAsync(SqliteStoreOptions? options = null)
    {
        var store = new SqliteProfileStore(
            options ?? new SqliteStoreOptions { Path = Path.Combine(_root, $"store-{_created++}") },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance);
        _extraStores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _extraStores)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static SqliteConnection OpenSide(SqliteProfileStore store)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task CreatesTheDataDirectoryWithTheDatabaseFileInside()
    {
        var path = Path.Combine(_root, "not", "there", "yet");

        var store = await NewSqliteStoreAsync(new SqliteStoreOptions { Path = path });

        Assert.Equal(Path.Combine(Path.GetFullPath(path), "openengage.db"), store.DatabasePath);
        Assert.True(File.Exists(store.DatabasePath));
    }

    [Fact]
    public async Task UsesTheWalJournalAndFullSynchronousCommits()
    {
        var store = await NewSqliteStoreAsync();

        // The journal mode is a property of the file; synchronous is per connection, so it is read
        // back from the store's own write connection.
        using (var side = OpenSide(store))
        {
            Assert.Equal("wal", Scalar(side, "PRAGMA journal_mode;"));
        }

        Assert.Equal("wal", store.JournalMode);
        Assert.Equal(2L, store.Synchronous);
    }

    [Fact]
    public async Task RecordsEachSchemaVersionOnce()
    {
        var store = await NewSqliteStoreAsync();
        var options = new SqliteStoreOptions { Path = Path.GetDirectoryName(store.DatabasePath)! };
        await store.DisposeAsync();
        await (await NewSqliteStoreAsync(options)).DisposeAsync();
        store = await NewSqliteStoreAsync(options);

        using var side = OpenSide(store);
        Assert.Equal((long)SqliteSchema.Migrations.Count, Scalar(side, "SELECT count(*) FROM schema_version;"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(side, "SELECT max(version) FROM schema_version;"));
        Assert.Equal("profiles", Scalar(side, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'profiles';"));
    }

    [Fact]
    public async Task RefusesADatabaseWithANewerSchema()
    {
        var store = await NewSqliteStoreAsync();
        var options = new SqliteStoreOptions { Path = Path.GetDirectoryName(store.DatabasePath)! };
        using (var side = OpenSide(store))
        {
            Scalar(side, "INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');");
        }

        await store.DisposeAsync();

        var newer = new SqliteProfileStore(options, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance);
        _extraStores.Add(newer);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync());
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoresPropertiesAsJsonbThatSqliteCanQuery()
    {
        var store = await NewSqliteStoreAsync();
        await store.ApplyAsync([Set("a", ("plan", "pro"), ("city", "Zürich"))]);

        using var side = OpenSide(store);
        Assert.Equal("Zürich", Scalar(side, "SELECT properties ->> '$.city' FROM profiles WHERE id = 'a';"));
        Assert.Equal("blob", Scalar(side, "SELECT typeof(properties) FROM profiles WHERE id = 'a';"));
        Assert.Equal(1L, Scalar(side, "SELECT json_valid(properties, 8) FROM profiles WHERE id = 'a';"));
    }

    [Fact]
    public async Task ReadersOfASharedSnapshotAllSeeTheStateOfTheFirst()
    {
        var store = await NewSqliteStoreAsync();
        await store.ApplyAsync([Set("a", ("n", 1))]);
        var readOnly = new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        async Task<SqliteConnection> Open(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(readOnly);
            await connection.OpenAsync(cancellationToken);
            return connection;
        }

        await using var snapshot = await SharedReadSnapshot.OpenAsync(Open, 3, default);
        Assert.Equal(3, snapshot.Readers.Count);

        // Committed after the first reader began but before the others read anything: none sees it.
        await store.ApplyAsync([Set("b", ("n", 2))]);
        foreach (var (connection, transaction) in snapshot.Readers)
        {
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM profiles;";
            Assert.Equal(1L, count.ExecuteScalar());
        }
    }

    [Fact]
    public async Task ASplitScanReturnsWhatOnePartReturns()
    {
        var split = await NewSqliteStoreAsync(new SqliteStoreOptions { Path = Path.Combine(_root, $"store-{_created++}"), QueryParallelism = 4, MinProfilesPerScanPart = 10 });
        var whole = await NewSqliteStoreAsync(new SqliteStoreOptions { Path = Path.Combine(_root, $"store-{_created++}"), QueryParallelism = 1 });
        var updates = Enumerable.Range(0, 300)
            .Select(i => Set($"user-{i * 7919 % 1000:D3}", ("n", i % 17), ("plan", i % 3 == 0 ? "pro" : "free")))
            .ToList();
        await split.ApplyAsync(updates);
        await whole.ApplyAsync(updates);
        await split.QueryIdsAsync(new ProfileQuery(Project, ""));
        await split.WhenScanPartsFoundAsync();

        foreach (var (sortKey, descending) in new[] { ((string?)null, false), ("n", false), ("n", true), ("plan", true) })
        {
            var query = new ProfileQuery(Project, "") { Where = OpenEngage.Query.WhereExpression.Parse("properties[\"n\"] > 3"), SortKey = sortKey, Descending = descending };
            var expected = await whole.QueryIdsAsync(query);
            Assert.True(expected.Count > 100);
            Assert.Equal(expected, await split.QueryIdsAsync(query));
            var page = await split.QueryAsync(query with { Offset = 40, Limit = 5 });
            Assert.Equal(expected.Count, page.Total);
            Assert.Equal(expected.Skip(40).Take(5), page.Profiles.Select(p => p.Key.Id));
        }

        // Per sort: the snapshot of ids, and the count with the page.
        Assert.Equal(8, split.SplitScans);
        Assert.Equal(0, whole.SplitScans);
    }

    [Fact]
    public async Task MigratesADatabaseOfJsonTextToJsonb()
    {
        var path = Path.Combine(_root, $"store-{_created++}");
        Directory.CreateDirectory(path);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(path, SqliteProfileStore.DatabaseFileName), Pooling = false }.ToString()))
        {
            old.Open();
            Scalar(old, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);");
            Scalar(old, "INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00Z');");
            Scalar(old, "CREATE TABLE profiles (project TEXT NOT NULL, group_key TEXT NOT NULL, id TEXT NOT NULL, properties TEXT NOT NULL, PRIMARY KEY (project, group_key, id)) WITHOUT ROWID;");
            Scalar(old, """INSERT INTO profiles VALUES ('p', '', 'a', '{"plan":"pro","n":3,"tags":["x","y"],"s":"a\u00e9\\b"}'), ('p', '', 'b', '{"plan":"free"}');""");
        }

        var store = await NewSqliteStoreAsync(new SqliteStoreOptions { Path = path });

        var a = await store.GetAsync(ProfileKey.User("p", "a"));
        Assert.NotNull(a);
        Assert.Equal("""{"plan":"pro","n":3,"tags":["x","y"],"s":"a\u00E9\\b"}""", a.Properties.ToJsonString());
        var pro = await store.QueryAsync(new ProfileQuery("p", "") { Where = OpenEngage.Query.WhereExpression.Parse("properties[\"plan\"] == \"pro\"") });
        Assert.Equal(["a"], pro.Profiles.Select(p => p.Key.Id));
        using var side = OpenSide(store);
        Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM profiles WHERE typeof(properties) <> 'blob';"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(side, "SELECT max(version) FROM schema_version;"));
    }

    [Fact]
    public async Task AFailedTransactionFailsEveryCallerInItAndStoresNothing()
    {
        var store = await NewSqliteStoreAsync();
        // A commit that fails for a reason SQLite does not lay at the data's door (a plain error,
        // "integer overflow", raised by a trigger on one id): every caller of the group fails.
        // A refusal of the data (RAISE, a CHECK) is isolated instead; see ProfileStoreContract.Isolation.
        using (var side = OpenSide(store))
        {
            Scalar(side, """
                CREATE TRIGGER fail_poison BEFORE INSERT ON profiles WHEN NEW.id = 'poison'
                BEGIN SELECT abs(length(NEW.id) - 6 - 9223372036854775807 - 1); END;
                """);
        }

        // Within one batch: the good update written before the failing one is rolled back.
        await Assert.ThrowsAsync<SqliteException>(() => store.ApplyAsync([Set("good", ("x", 1)), Set("poison", ("x", 1))]));
        Assert.Null(await store.GetAsync(User("good")));

        // Across callers: hold the writer on a first group so the next three are committed together.
        using (var hold = StageHold.AtGroupTaken(store))
        {
            var first = store.ApplyAsync([Set("first", ("x", 1))]);
            await hold.Taken;
            var innocent1 = store.ApplyAsync([Set("innocent-1", ("x", 1))]);
            var poisoned = store.ApplyAsync([Set("poison", ("x", 1))]);
            var innocent2 = store.ApplyAsync([Set("innocent-2", ("x", 1))]);
            hold.Release();

            await first;
            await Assert.ThrowsAsync<SqliteException>(() => innocent1);
            await Assert.ThrowsAsync<SqliteException>(() => poisoned);
            await Assert.ThrowsAsync<SqliteException>(() => innocent2);
        }

        Assert.NotNull(await store.GetAsync(User("first")));
        Assert.Null(await store.GetAsync(User("innocent-1")));
        Assert.Null(await store.GetAsync(User("innocent-2")));

        // The store recovers for the next commit.
        Assert.Equal(ApplyStatus.Upserted, Assert.Single(await store.ApplyAsync([Set("after", ("x", 1))])).Status);
        Assert.NotNull(await store.GetAsync(User("after")));
    }

    [Fact]
    public async Task AnUpdateRefusedInAGroupOfSeveralCallersFailsOnlyItself()
    {
        var store = await NewSqliteStoreAsync();
        using (var side = OpenSide(store))
        {
            Scalar(side, """
                CREATE TRIGGER refuse_poison BEFORE INSERT ON profiles WHEN NEW.id = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poison refused'); END;
                """);
        }

        // Hold the writer on a first group so the next three are taken as one group.
        using (var hold = StageHold.AtGroupTaken(store))
        {
            var first = store.ApplyAsync([Set("first", ("x", 1))]);
            await hold.Taken;
            var innocent1 = store.ApplyAsync([Set("innocent-1", ("x", 1)), AddTo("counter", ("n", 1))]);
            var poisoned = store.ApplyAsync([AddTo("counter", ("n", 10)), Set("poison", ("x", 1)), AddTo("counter", ("n", 100))]);
            var innocent2 = store.ApplyAsync([Set("innocent-2", ("x", 1)), AddTo("counter", ("n", 1000))]);
            hold.Release();

            await first;
            Assert.All(await innocent1, result => Assert.Equal(ApplyStatus.Upserted, result.Status));
            Assert.All(await innocent2, result => Assert.Equal(ApplyStatus.Upserted, result.Status));
            var results = await poisoned;
            Assert.Equal([ApplyStatus.Upserted, ApplyStatus.Rejected, ApplyStatus.Upserted], results.Select(r => r.Status));
            Assert.Contains("poison refused", results[1].Error!.Message, StringComparison.Ordinal);
            Assert.Equal(111L, (long)results[2].Profile!["n"]!);
        }

        Assert.NotNull(await store.GetAsync(User("innocent-1")));
        Assert.NotNull(await store.GetAsync(User("innocent-2")));
        Assert.Null(await store.GetAsync(User("poison")));
        Assert.Equal(1111, (int)(await store.GetAsync(User("counter")))!.Properties["n"]!);
    }

    [Fact]
    public async Task CallersQueuedTogetherShareOneCommitAndSeeEachOther()
    {
        var store = await NewSqliteStoreAsync();
        using (var hold = StageHold.AtGroupTaken(store))
        {
            var first = store.ApplyAsync([AddTo("n", ("count", 1m))]);
            await hold.Taken;
            var queued = Enumerable.Range(0, 10).Select(_ => store.ApplyAsync([AddTo("n", ("count", 1m))])).ToList();
            hold.Release();

            await first;
            var counts = (await Task.WhenAll(queued)).Select(r => (long)Changed(r[0], "count")!).ToList();
            Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), counts);
        }

        Assert.Equal(11L, (long)(await GetPropertiesAsync(store, User("n")))["count"]!);
    }

    [Fact]
    public async Task SmallCommitLimitSplitsQueuedBatchesButNeverABatch()
    {
        var store = await NewSqliteStoreAsync(new SqliteStoreOptions { Path = Path.Combine(_root, "small"), MaxUpdatesPerCommit = 3 });

        var big = store.ApplyAsync([.. Enumerable.Range(0, 50).Select(i => AddTo($"k{i % 5}", ("count", 1m)))]);
        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await store.ApplyAsync([AddTo($"k{(c + i) % 5}", ("count", 1m)), AddTo("total", ("count", 1m))]);
            }
        }));
        await Task.WhenAll([big, .. callers]);

        Assert.Equal(50, (await big).Count);
        long sum = 0;
        for (var k = 0; k < 5; k++)
        {
            sum += (long)(await GetPropertiesAsync(store, User($"k{k}")))["count"]!;
        }

        Assert.Equal(50 + (16 * 20), sum);
        Assert.Equal(16 * 20, (long)(await GetPropertiesAsync(store, User("total")))["count"]!);
    }

    [Fact]
    public async Task CancelingWhileQueuedWithdrawsTheBatch()
    {
        var store = await NewSqliteStoreAsync();
        using (var hold = StageHold.AtGroupTaken(store))
        using (var cancel = new CancellationTokenSource())
        {
            var first = store.ApplyAsync([Set("first", ("x", 1))]);
            await hold.Taken;
            var withdrawn = store.ApplyAsync([Set("withdrawn", ("x", 1))], cancel.Token);
            await cancel.CancelAsync();
            hold.Release();

            await first;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);
        }

        Assert.NotNull(await store.GetAsync(User("first")));
        Assert.Null(await store.GetAsync(User("withdrawn")));
    }

    [Fact]
    public async Task CancelingOnceTheWriterHasTheBatchStillWaitsForTheCommit()
    {
        var store = await NewSqliteStoreAsync();
        using (var hold = StageHold.AtGroupTaken(store))
        using (var cancel = new CancellationTokenSource())
        {
            var taking = store.ApplyAsync([Set("taken", ("x", 1))], cancel.Token);
            await hold.Taken;
            await cancel.CancelAsync();
            hold.Release();

            Assert.Equal(ApplyStatus.Upserted, Assert.Single(await taking).Status);
        }

        Assert.NotNull(await store.GetAsync(User("taken")));
    }

    [Fact]
    public async Task DisposeFinishesEverythingAlreadyQueued()
    {
        var store = await NewSqliteStoreAsync();
        var options = new SqliteStoreOptions { Path = Path.GetDirectoryName(store.DatabasePath)! };
        Task disposing;
        List<Task<IReadOnlyList<ApplyResult>>> queued;
        using (var hold = StageHold.AtGroupTaken(store))
        {
            var first = store.ApplyAsync([Set("q0", ("x", 1))]);
            await hold.Taken;
            queued = [first, .. Enumerable.Range(1, 5).Select(i => store.ApplyAsync([Set($"q{i}", ("x", 1))]))];
            disposing = store.DisposeAsync().AsTask();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ApplyAsync([Set("late", ("x", 1))]));
            hold.Release();
            await disposing;
        }

        Assert.All(await Task.WhenAll(queued), r => Assert.Equal(ApplyStatus.Upserted, r[0].Status));
        var reopened = await NewSqliteStoreAsync(options);
        Assert.Equal(6, (await reopened.ListAsync(new ProfileListRequest(Project, "", 0, 100))).Total);
        Assert.Null(await reopened.GetAsync(User("late")));
    }

    [Fact]
    public async Task AnAlreadyCanceledTokenAppliesNothing()
    {
        var store = await NewSqliteStoreAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ApplyAsync([Set("a", ("x", 1))], new CancellationToken(canceled: true)));

        Assert.Null(await store.GetAsync(User("a")));
    }
}
