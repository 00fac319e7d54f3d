using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>Contract §10 on a real store: updates are applied in <c>$time</c> order, whatever order they arrive in.</summary>
public abstract partial class ChangeLogContract
{
    private static readonly JsonNode?[] Values = [1, 2, "x", true, null, new JsonArray(1, "x")];
    private static readonly string[] Names = ["a", "b", "c"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AnyArrivalOrderOfTimedRecordsEndsInTheProfileOfTheSortedRecords(int seed)
    {
        var store = await StoreAsync();
        var random = new Random(seed);
        var engine = new ProfileEngine(ProfileLimits.Default);
        var cases = Enumerable.Range(0, 60).Select(i => (Id: $"p{i}", Records: Records(random, $"p{i}"))).ToList();

        // Each profile's records arrive shuffled, in batches of 1 to 4; the profiles' batches interleave.
        await Task.WhenAll(cases.Select(async c =>
        {
            var shuffled = c.Records.OrderBy(_ => random.Next()).ToList();
            var batchRandom = new Random(seed * 1000 + c.Id.GetHashCode(StringComparison.Ordinal));
            for (var i = 0; i < shuffled.Count;)
            {
                var size = Math.Min(batchRandom.Next(1, 5), shuffled.Count - i);
                var results = await store.ApplyAsync(shuffled.GetRange(i, size));
                Assert.All(results, r => Assert.True(r.IsApplied, r.Error?.Message));
                i += size;
            }
        }));

        foreach (var (id, records) in cases)
        {
            JsonObject? expected = null;
            foreach (var update in records.OrderBy(u => u.Time))
            {
                expected = ProfileTimeline.After(expected, engine.Apply(expected, update));
            }

            var stored = await store.GetAsync(ProfileKey.User(Project, id));
            Assert.True(
                JsonNode.DeepEquals(expected, stored?.Properties),
                $"{id}: sorted {expected?.ToJsonString() ?? "(none)"}, stored {stored?.Properties.ToJsonString() ?? "(none)"}; records: {string.Join(" | ", records.Select(ProfileUpdateJson.Serialize))}");
        }

        // The change log replays to the stored profiles: the late records' rows are net effects.
        var rows = await ReadChangesAsync();
        foreach (var (id, _) in cases)
        {
            JsonObject? replayed = null;
            foreach (var row in rows.Where(r => r.Id == id))
            {
                if (row.Kind == "delete")
                {
                    replayed = null;
                    continue;
                }

                replayed ??= [];
                foreach (var (name, value) in row.Changed)
                {
                    replayed[name] = value?.DeepClone();
                }

                foreach (var name in row.Removed)
                {
                    replayed.Remove(name!.GetValue<string>());
                }
            }

            var stored = await store.GetAsync(ProfileKey.User(Project, id));
            Assert.True(JsonNode.DeepEquals(stored?.Properties, replayed), $"{id}: stored {stored?.Properties.ToJsonString()}, replayed {replayed?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task ALateRecordWritesOneNetEffectRowAndALateOfflineBatchCannotUndoNewerData()
    {
        var store = await StoreAsync();
        await store.ApplyAsync([Update("a", 10) with { Operations = new() { Set = [P("plan", "pro")] } }]);
        await store.ApplyAsync([Update("a", 20) with { Operations = new() { Set = [P("seen", 2)] } }]);

        // An offline batch from before both: plan must stay "pro"; "seen" stays 2; "old" appears.
        await store.ApplyAsync([
            Update("a", 1) with { Operations = new() { Set = [P("plan", "free"), P("seen", 1)] } },
            Update("a", 2) with { Operations = new() { Set = [P("old", true)] } },
        ]);

        var stored = (await store.GetAsync(ProfileKey.User(Project, "a")))!.Properties;
        Assert.Equal("pro", stored["plan"]!.GetValue<string>());
        Assert.Equal(2, stored["seen"]!.GetValue<int>());
        Assert.True(stored["old"]!.GetValue<bool>());
        Assert.Equal(ProfileTime.Format(T0.AddMinutes(1)), stored["$created"]!.GetValue<string>());
        Assert.Equal(ProfileTime.Format(T0.AddMinutes(20)), stored["$last_seen"]!.GetValue<string>());

        var rows = await ReadChangesAsync();
        Assert.Equal(4, rows.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"$created":"{{ProfileTime.Format(T0.AddMinutes(1))}}"}"""), rows[2].Changed), rows[2].Changed.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"old":true}"""), rows[3].Changed), rows[3].Changed.ToJsonString());
        Assert.Equal(4, await CountHistoryRowsAsync());
    }

    [Fact]
    public async Task ARecordWithoutTimeIsNeverLateItAppliesOnTop()
    {
        var store = await StoreAsync();
        await store.ApplyAsync([Update("a", 10) with { Operations = new() { Set = [P("plan", "pro")] } }]);

        // Arrived (and took its arrival time) before the newer record was applied.
        await store.ApplyAsync([Update("a", 5) with { TimeFromRecord = false, Operations = new() { Set = [P("plan", "free")] } }]);

        var stored = (await store.GetAsync(ProfileKey.User(Project, "a")))!.Properties;
        Assert.Equal("free", stored["plan"]!.GetValue<string>());
        Assert.Equal(ProfileTime.Format(T0.AddMinutes(10)), stored["$last_seen"]!.GetValue<string>());
        Assert.Equal(2, (await ReadChangesAsync()).Count);
    }

    [Fact]
    public async Task AProjectOrderedByArrivalLetsTheLastArrivalWin()
    {
        var store = await StoreAsync();
        await store.ApplyAsync([Update("a", 10) with { ArrivalOrder = true, Operations = new() { Set = [P("plan", "pro")] } }]);
        await store.ApplyAsync([Update("a", 1) with { ArrivalOrder = true, Operations = new() { Set = [P("plan", "free")] } }]);

        Assert.Equal("free", (await store.GetAsync(ProfileKey.User(Project, "a")))!.Properties["plan"]!.GetValue<string>());
    }

    private static List<ProfileUpdate> Records(Random random, string id)
    {
        var count = random.Next(1, 8);
        var minutes = Enumerable.Range(0, 50).OrderBy(_ => random.Next()).Take(count).ToList();
        return [.. minutes.Select(m => Record(random, Update(id, m)))];
    }

    private static ProfileUpdate Record(Random random, ProfileUpdate update)
    {
        if (random.Next(8) == 0)
        {
            return update with { Operations = new() { Delete = true } };
        }

        string Name() => Names[random.Next(Names.Length)];
        JsonNode? Value() => Values[random.Next(Values.Length)]?.DeepClone();
        KeyValuePair<string, JsonNode?>[] Pairs() => [.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => P(Name(), Value())).DistinctBy(p => p.Key)];

        var mask = random.Next(1, 128);
        return update with
        {
            IgnoreTime = random.Next(4) == 0,
            Operations = new() { Set = (mask & 1) != 0 ? Pairs() : null, SetOnce = (mask & 2) != 0 ? Pairs() : null, Add = (mask & 4) != 0 ? [new("n", random.Next(-2, 3))] : null, Union = (mask & 8) != 0 ? [new(Name(), new JsonArray(Value(), Value()))] : null, Append = (mask & 16) != 0 ? [P(Name(), Value())] : null, Remove = (mask & 32) != 0 ? [P(Name(), Value())] : null, Unset = (mask & 64) != 0 ? [Name()] : null },
        };
    }
}
