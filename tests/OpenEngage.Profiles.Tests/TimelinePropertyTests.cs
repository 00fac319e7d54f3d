using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>
/// Contract §10: a profile is the fold of its records in <c>$time</c> order, whatever order they
/// arrive in. A late record goes through <see cref="ProfileTimeline.Refold"/> against a record
/// log kept the way the stores keep it (each record and its diff stored as JSON and read back).
/// </summary>
public class TimelinePropertyTests
{
    private const long Iterations = 1500;

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.Int[-3, 3].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Char["ab"].Array[1, 2].Select(a => Quote(new string(a))),
        Gen.OneOf("true", "null"));

    private static readonly Gen<string> Value = Gen.Frequency(
        (4, Scalar),
        (2, Scalar.Array[0, 3].Select(items => "[" + string.Join(",", items) + "]")));

    private static readonly Gen<string> Name = Gen.OneOf("a", "b", "c", "$created", "$last_seen");

    private static Gen<string> Object(Gen<string> values) =>
        Gen.Select(Name, values).Array[1, 3].Select(pairs =>
            "{" + string.Join(",", pairs.DistinctBy(p => p.Item1).Select(p => $"{Quote(p.Item1)}:{p.Item2}")) + "}");

    /// <summary>The members of one record: one or more operations, or <c>$delete</c>, maybe <c>$ignore_time</c>.</summary>
    private static readonly Gen<string> Members = Gen.Frequency(
        (1, Gen.Const("\"$delete\":\"\"")),
        (6, Gen.Select(Gen.Int[1, 127], Gen.Bool, Object(Value), Object(Value), Object(Gen.Int[-2, 2].Select(i => i.ToString(CultureInfo.InvariantCulture))), Object(Value), Name.Array[1, 2])
            .Select((mask, ignoreTime, set, setOnce, add, list, unset) =>
            {
                var members = new List<string>();
                if ((mask & 1) != 0) members.Add("\"$set\":" + set);
                if ((mask & 2) != 0) members.Add("\"$set_once\":" + setOnce);
                if ((mask & 4) != 0) members.Add("\"$add\":" + add.Replace("\"$created\"", "\"n\"", StringComparison.Ordinal).Replace("\"$last_seen\"", "\"m\"", StringComparison.Ordinal));
                if ((mask & 8) != 0) members.Add("\"$union\":" + ToLists(list));
                if ((mask & 16) != 0) members.Add("\"$append\":" + list);
                if ((mask & 32) != 0) members.Add("\"$remove\":" + list);
                if ((mask & 64) != 0) members.Add("\"$unset\":[" + string.Join(",", unset.Select(Quote)) + "]");
                if (ignoreTime) members.Add("\"$ignore_time\":true");
                return string.Join(",", members);
            })));

    private static readonly ProfileEngine Engine = new(ProfileLimits.Default);

    [Fact]
    public void AnyArrivalOrderEndsInTheProfileOfTheSortedRecords()
    {
        Gen.Select(Members.Array[1, 7], Gen.Int.Array[7]).Sample((records, keys) =>
        {
            // Distinct times, one minute apart; arrival order is a permutation of them.
            var updates = records.Select((members, i) => Read(members, T(i))).ToArray();
            var arrival = Enumerable.Range(0, updates.Length).OrderBy(i => keys[i]).ThenBy(i => i).Select(i => updates[i]).ToArray();

            var expected = Fold(updates);
            var actual = Arrive(arrival);

            Assert.True(JsonNode.DeepEquals(expected, actual), $"sorted: {expected?.ToJsonString()}\narrived: {actual?.ToJsonString()}\nrecords in arrival order: {string.Join(" | ", arrival.Select(ProfileUpdateJson.Serialize))}");
        }, iter: Iterations);
    }

    [Fact]
    public void AnOlderSetArrivingLateDoesNotOverwriteANewerValue()
    {
        var actual = Arrive([Read("\"$set\":{\"plan\":\"pro\"}", T(2)), Read("\"$set\":{\"plan\":\"free\"}", T(1))]);

        JsonEqual($$"""{"plan":"pro","$created":"{{ProfileTime.Format(T(1))}}","$last_seen":"{{ProfileTime.Format(T(2))}}"}""", actual);
    }

    [Fact]
    public void ALateSetOnceKeepsTheEarliestValue()
    {
        var actual = Arrive([Read("\"$set_once\":{\"source\":\"ad\"}", T(2)), Read("\"$set_once\":{\"source\":\"organic\"}", T(1))]);

        Assert.Equal("organic", actual!["source"]!.GetValue<string>());
    }

    [Fact]
    public void AnOlderRecordAfterADeleteDoesNotRecreateTheProfile()
    {
        var actual = Arrive([Read("\"$set\":{\"a\":1}", T(1)), Read("\"$delete\":\"\"", T(3)), Read("\"$set\":{\"b\":2}", T(2))]);

        Assert.Null(actual);
    }

    [Fact]
    public void ALateAppendLandsWhereItsTimePutsIt()
    {
        var actual = Arrive([Read("\"$append\":{\"l\":1}", T(1)), Read("\"$append\":{\"l\":3}", T(3)), Read("\"$append\":{\"l\":2}", T(2)), Read("\"$remove\":{\"l\":3}", T(0))]);

        JsonText("[1,2,3]", actual!["l"]);
    }

    [Fact]
    public void ARecordRoundTripsThroughTheLog()
    {
        var update = Read("\"$set\":{\"a\":[1,{\"x\":\"é\"}]},\"$set_once\":{\"b\":null},\"$add\":{\"n\":\"2.5\"},\"$union\":{\"u\":[1]},\"$append\":{\"l\":1},\"$remove\":{\"l\":2},\"$unset\":[\"z\"],\"$ignore_time\":true", T(5)) with
        {
            Geo = new GeoInfo("Paris", null, "FR", "Europe/Paris"),
        };

        var back = ProfileUpdateJson.Deserialize(ProfileUpdateJson.Serialize(update), update.Key);

        Assert.Equal(ProfileUpdateJson.Serialize(update), ProfileUpdateJson.Serialize(back));
        Assert.Equal(update.Time, back.Time);
        Assert.True(back.IgnoreTime);
        Assert.Equal(update.Geo, back.Geo);
        Assert.Equal(2.5m, Assert.Single(back.Operations.Add!).Value);
    }

    private static DateTimeOffset T(int minutes) => Received.AddMinutes(minutes);

    private static string ToLists(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)(p.Value is JsonArray a ? a.DeepClone() : new JsonArray(p.Value?.DeepClone()))))).ToJsonString();
    }

    private static ProfileUpdate Read(string members, DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return Valid(Record(members + ",\"$time\":" + seconds)).ToUpdate("p");
    }

    /// <summary>The records applied one after the other in time order.</summary>
    private static JsonObject? Fold(IEnumerable<ProfileUpdate> updates)
    {
        JsonObject? state = null;
        foreach (var update in updates.OrderBy(u => u.Time))
        {
            var result = Engine.Apply(state, update);
            Assert.True(result.IsApplied, result.Error?.Message);
            state = ProfileTimeline.After(state, result);
        }

        return state;
    }

    /// <summary>The records applied in arrival order as a store applies them: on top, or re-folded when late.</summary>
    private static JsonObject? Arrive(IEnumerable<ProfileUpdate> arrival)
    {
        JsonObject? state = null;
        var log = new List<(long Time, string Record, string Kind, string Diff)>();
        foreach (var update in arrival)
        {
            var time = update.Time.ToUnixTimeMilliseconds();
            if (log.Count == 0 || time >= log[^1].Time)
            {
                var result = Engine.Apply(state, update);
                Assert.True(result.IsApplied, result.Error?.Message);
                var next = ProfileTimeline.After(state, result);
                var diff = result.Diff!;
                log.Add((time, ProfileUpdateJson.Serialize(update), diff.KindName, diff.ToJson()));
                state = next;
                continue;
            }

            var first = log.FindIndex(entry => entry.Time > time);
            var newer = log.Skip(first)
                .Select(entry => new LoggedRecord(ProfileUpdateJson.Deserialize(entry.Record, update.Key), ProfileDiff.Parse(entry.Kind, entry.Diff)))
                .ToList();
            var fold = ProfileTimeline.Refold(Engine, state, newer, update);
            Assert.True(fold.Result.IsApplied, fold.Result.Error?.Message);
            log.RemoveRange(first, log.Count - first);
            log.AddRange(fold.Log.Select(r => (r.TimeMs, ProfileUpdateJson.Serialize(r.Update), r.Diff.KindName, r.Diff.ToJson())));
            state = fold.Profile;
        }

        return state;
    }
}
