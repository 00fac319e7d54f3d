using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>Properties checked over generated inputs.</summary>
public class PropertyTests
{
    private const long Iterations = 2000;

    // ---- generators --------------------------------------------------------------------------

    /// <summary>Text made of 1-, 2-, 3- and 4-byte characters and unpaired surrogates.</summary>
    private static readonly Gen<string> AnyText = Gen.OneOf(
            Gen.Char['a', 'z'].Select(c => c.ToString()),
            Gen.Char['\u0080', '\u07ff'].Select(c => c.ToString()),
            Gen.Char['\u0800', '\ud7ff'].Select(c => c.ToString()),
            Gen.Char['\ud800', '\udfff'].Select(c => c.ToString()),
            Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32))
        .Array[0, 120]
        .Select(string.Concat);

    /// <summary>Well-formed text of 1-, 2-, 3- and 4-byte characters.</summary>
    private static readonly Gen<string> WellFormedText = Gen.OneOf(
            Gen.Char['a', 'z'].Select(c => c.ToString()),
            Gen.Char['\u0080', '\u07ff'].Select(c => c.ToString()),
            Gen.Char['\u0800', '\ud7ff'].Select(c => c.ToString()),
            Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32))
        .Array[0, 120]
        .Select(string.Concat);

    private static readonly Gen<string> ScalarJson = Gen.OneOf(
        Gen.Int[-3, 3].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[-3, 3].Select(i => i.ToString(CultureInfo.InvariantCulture) + ".0"),
        Gen.Char["ab"].Array[0, 2].Select(a => Quote(new string(a))),
        Gen.OneOf("true", "false", "null"));

    private static readonly Gen<string> ListJson = ScalarJson.Array[0, 6].Select(items => "[" + string.Join(",", items) + "]");

    private static readonly Gen<string> ValueJson = Gen.Frequency(
        (4, ScalarJson),
        (3, ListJson),
        (1, Gen.Select(Gen.Char["xy"], ScalarJson, (k, v) => $"{{\"{k}\":{v}}}")));

    private static readonly Gen<string> Name = Gen.OneOf("a", "b", "c", "d", "e", "f", "g");

    private static Gen<string> ObjectJson(Gen<string> values) =>
        Gen.Select(Name, values).Array[0, 6].Select(pairs =>
        {
            var seen = new Dictionary<string, string>();
            foreach (var (name, value) in pairs)
            {
                seen[name] = value;
            }

            return "{" + string.Join(",", seen.Select(p => $"{Quote(p.Key)}:{p.Value}")) + "}";
        });

    private static readonly Gen<string> ProfileJson = ObjectJson(ValueJson);

    private static readonly Gen<string> AddJson = ObjectJson(Gen.OneOf(
        Gen.Int[-5, 5].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.OneOf("0.1", "-0.25", "\"3\"", "2.50")));

    /// <summary>Operations of a user record (JSON members), at least one of them.</summary>
    private static readonly Gen<string> OperationsJson = Gen.Select(
            Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool,
            Gen.Select(ObjectJson(ValueJson), ObjectJson(ValueJson), AddJson, ObjectJson(Gen.OneOf(ListJson, ScalarJson))),
            Gen.Select(ObjectJson(ValueJson), ObjectJson(ValueJson), Name.Array[0, 3]),
            (s, o, a, u, p, r, x, first, second) =>
            {
                var members = new List<string>();
                if (s) members.Add("\"$set\":" + first.Item1);
                if (o) members.Add("\"$set_once\":" + first.Item2);
                if (a) members.Add("\"$add\":" + first.Item3);
                if (u) members.Add("\"$union\":" + first.Item4);
                if (p) members.Add("\"$append\":" + second.Item1);
                if (r) members.Add("\"$remove\":" + second.Item2);
                if (x || members.Count == 0) members.Add("\"$unset\":[" + string.Join(",", second.Item3.Select(Quote)) + "]");
                return string.Join(",", members);
            });

    /// <summary>The profile after an update that must apply: the new state, or the old one when unchanged.</summary>
    private static JsonObject After(JsonObject current, ParsedRecord record) => After(current, record.ToUpdate());

    private static JsonObject After(JsonObject current, ProfileUpdate update)
    {
        var result = Apply(current, update);
        Assert.True(result.Status is ApplyStatus.Upserted or ApplyStatus.Unchanged, result.Status.ToString());
        return result.Profile ?? current;
    }

    private static JsonObject ParseObject(string json) => JsonNode.Parse(json)!.AsObject();

    // ---- UTF-8 truncation ----------------------------------------------------------------------

    [Fact]
    public void Utf8_truncation_is_the_longest_whole_character_prefix_within_budget()
    {
        Gen.Select(AnyText, Gen.Int[0, 400]).Sample((text, budget) =>
        {
            var result = Utf8Truncation.Truncate(text, budget);
            Assert.StartsWith(result, text, StringComparison.Ordinal);
            Assert.True(Encoding.UTF8.GetByteCount(result) <= budget);
            if (Encoding.UTF8.GetByteCount(text) <= budget)
            {
                Assert.Equal(text, result);
                return;
            }

            var end = result.Length;
            var splitsPair = end > 0 && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end]);
            Assert.False(splitsPair, "a surrogate pair was split");
            var next = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1])
                ? text.Substring(end, 2)
                : text.Substring(end, 1);
            Assert.True(Encoding.UTF8.GetByteCount(result + next) > budget, "a further character would have fitted");
        }, iter: Iterations);
    }

    [Fact]
    public void Truncated_string_values_never_exceed_the_byte_limit()
    {
        Gen.Select(WellFormedText, Gen.Int[0, 64]).Sample((text, budget) =>
        {
            var limits = new ProfileLimits { MaxStringBytes = budget };
            var update = Valid(Record("\"$set\":{\"s\":" + Quote(text) + "}"), limits: limits);
            var stored = (string)update.Operations.Set![0].Value!;
            Assert.Equal(Utf8Truncation.Truncate(text, budget), stored);
            Assert.Equal(stored.Length != text.Length, update.Warnings.Count == 1);
        }, iter: Iterations);
    }

    // ---- record reading --------------------------------------------------------------------------

    [Fact]
    public void A_string_id_is_valid_exactly_when_non_blank_and_at_most_255_characters()
    {
        Gen.Char[" \tabé€\u00a0"].Array[0, 300].Select(a => new string(a)).Sample(id =>
        {
            var result = Read("{\"$token\":\"tok\",\"$distinct_id\":" + Quote(id) + ",\"$set\":{\"a\":1}}");
            var expected = !string.IsNullOrWhiteSpace(id) && id.Length <= 255;
            Assert.Equal(expected, result.IsValid);
            Assert.Equal(id, result.DistinctId);
            if (expected)
            {
                Assert.Equal(id, result.Record!.DistinctId);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void An_integer_id_is_its_decimal_string()
    {
        Gen.Long.Sample(n =>
        {
            var expected = n.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(expected, Valid("{\"$token\":\"tok\",\"$distinct_id\":" + expected + ",\"$set\":{\"a\":1}}").DistinctId);
        }, iter: Iterations);
    }

    [Fact]
    public void A_number_in_any_spelling_is_its_exact_decimal_string()
    {
        Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Int[-15, 15], Gen.Bool).Sample((mantissa, exponent, upper) =>
        {
            var literal = $"{mantissa}{(upper ? "E" : "e")}{exponent}";
            var value = exponent >= 0 ? mantissa * Pow10(exponent) : mantissa / Pow10(-exponent);
            var expected = NumberMath.Normalize(value).ToString(CultureInfo.InvariantCulture);
            Assert.Equal(expected, RecordReader.NumberToId(JsonDocument.Parse(literal).RootElement));
        }, iter: Iterations);
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }

    [Fact]
    public void Epoch_times_up_to_1e11_are_seconds_and_above_are_milliseconds()
    {
        Gen.Select(Gen.Long[0, 100_000_000_000], Gen.Long[100_000_000_001, 253_402_300_799_999], Gen.Bool).Sample((seconds, milliseconds, asString) =>
        {
            string Literal(long n) => asString ? $"\"{n}\"" : n.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds), RecordReader.ParseTime(JsonDocument.Parse(Literal(seconds)).RootElement));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), RecordReader.ParseTime(JsonDocument.Parse(Literal(milliseconds)).RootElement));
        }, iter: Iterations);
    }

    [Fact]
    public void Only_the_listed_boolean_forms_are_booleans()
    {
        Gen.Char["truefalsTRUE01 x"].Array[0, 6].Select(a => new string(a)).Sample(text =>
        {
            var parsed = RecordReader.ParseLenientBoolean(JsonDocument.Parse(Quote(text)).RootElement);
            bool? expected = text.Trim().ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => null,
            };
            Assert.Equal(expected, parsed);
        }, iter: Iterations);
        Gen.Long.Sample(n =>
        {
            var parsed = RecordReader.ParseLenientBoolean(JsonDocument.Parse(n.ToString(CultureInfo.InvariantCulture)).RootElement);
            Assert.Equal(n switch { 1 => true, 0 => false, _ => (bool?)null }, parsed);
        }, iter: Iterations);
    }

    // ---- applying in place -------------------------------------------------------------------------

    [Fact]
    public void Applying_in_place_ends_where_applying_to_copies_ends_and_a_rejected_record_leaves_no_trace()
    {
        // Tight limits so that some records are rejected part-way: too many properties, lists too long.
        var limits = new ProfileLimits { MaxPropertiesPerProfile = 8, MaxListBytes = 40 };
        var engine = new ProfileEngine(limits);
        Gen.Select(Gen.Frequency((1, Gen.Const((string?)null)), (4, ProfileJson.Select(json => (string?)json))), OperationsJson.Array[1, 6]).Sample((start, records) =>
        {
            var pure = Profile(start);
            var owned = Profile(start);
            foreach (var members in records)
            {
                var update = Valid(Record(members), limits: limits).ToUpdate();
                var before = owned?.ToJsonString();
                var expected = engine.Apply(pure, update);
                var actual = engine.ApplyInPlace(owned, update);

                Assert.Equal(expected.Status, actual.Status);
                Assert.Equal(expected.Error?.Message, actual.Error?.Message);
                if (!actual.IsApplied)
                {
                    // Undone exactly: the same properties, values and order as before the record.
                    Assert.Equal(before, owned?.ToJsonString());
                    continue;
                }

                pure = ProfileTimeline.After(pure, expected);
                owned = actual.Status == ApplyStatus.Unchanged ? owned : actual.Profile;
                Assert.True(JsonNode.DeepEquals(pure, owned), $"{pure?.ToJsonString()} != {owned?.ToJsonString()}");

                // The diff undoes the record and names exactly the properties whose value changed.
                var undone = actual.Diff!.Undo(owned);
                Assert.True(JsonNode.DeepEquals(undone, Profile(before)), $"undo gave {undone?.ToJsonString()}, expected {before}");
                Assert.Equal(actual.Status == ApplyStatus.Unchanged, actual.Diff.Kind == ProfileDiffKind.None);
            }
        }, iter: Iterations);
    }

    // ---- applying updates --------------------------------------------------------------------------

    [Fact]
    public void Applying_never_mutates_the_stored_profile_or_the_update_and_is_deterministic()
    {
        Gen.Select(ProfileJson, OperationsJson, Gen.Bool).Sample((profileJson, operations, exists) =>
        {
            var current = exists ? ParseObject(profileJson) : null;
            var update = Valid(Record(operations)).ToUpdate();
            var updateBefore = Describe(update);
            var before = current?.ToJsonString();
            var first = Apply(current, update);
            var second = Apply(current, update);
            Assert.Equal(before, current?.ToJsonString());
            Assert.Equal(updateBefore, Describe(update));
            Assert.Equal(first.Status, second.Status);
            Assert.True(JsonNode.DeepEquals(first.Profile, second.Profile));
            if (first.Profile is not null && current is not null)
            {
                Assert.NotSame(current, first.Profile);
            }
        }, iter: Iterations);
    }

    private static string Describe(ProfileUpdate update) => string.Join("|",
        ReaderPairs(update.Operations.Set), ReaderPairs(update.Operations.SetOnce), ReaderPairs(update.Operations.Append), ReaderPairs(update.Operations.Remove),
        string.Join(",", (update.Operations.Union ?? []).Select(p => p.Key + "=" + p.Value.ToJsonString())),
        string.Join(",", (update.Operations.Add ?? []).Select(p => p.Key + "=" + p.Value)),
        string.Join(",", update.Operations.Unset ?? []));

    private static string ReaderPairs(IReadOnlyList<KeyValuePair<string, JsonNode?>>? pairs) =>
        string.Join(",", (pairs ?? []).Select(p => p.Key + "=" + (p.Value?.ToJsonString() ?? "null")));

    [Fact]
    public void Only_named_keys_and_automatic_properties_change()
    {
        Gen.Select(ProfileJson, OperationsJson).Sample((profileJson, operations) =>
        {
            var current = ParseObject(profileJson);
            var update = Valid(Record(operations));
            var result = Apply(current, update);
            var profile = result.Profile ?? current;
            var named = new HashSet<string>(
                (update.Operations.Set ?? []).Concat(update.Operations.SetOnce ?? []).Concat(update.Operations.Append ?? []).Concat(update.Operations.Remove ?? []).Select(p => p.Key)
                    .Concat((update.Operations.Add ?? []).Select(p => p.Key))
                    .Concat((update.Operations.Union ?? []).Select(p => p.Key))
                    .Concat(update.Operations.Unset ?? []))
            {
                ProfileEngine.LastSeen,
            };
            foreach (var (name, value) in current)
            {
                if (!named.Contains(name))
                {
                    Assert.True(profile.ContainsKey(name), $"{name} disappeared");
                    Assert.True(JsonNode.DeepEquals(value, profile[name]), $"{name} changed");
                }
            }

            foreach (var name in update.Operations.Unset ?? [])
            {
                Assert.False(profile.ContainsKey(name), $"{name} is still set");
            }

            foreach (var (name, _) in profile)
            {
                Assert.True(named.Contains(name) || current.ContainsKey(name), $"{name} appeared");
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Adding_a_sequence_of_numbers_gives_the_exact_decimal_sum()
    {
        var delta = Gen.OneOf(
            Gen.Long.Select(n => (decimal)n),
            Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Int[0, 6], (m, scale) => m / Pow10(scale)));
        Gen.Select(delta.Array[1, 12], Gen.Bool).Sample((deltas, asStrings) =>
        {
            JsonObject? profile = null;
            var expected = 0m;
            foreach (var d in deltas)
            {
                expected += d;
                var literal = d.ToString(CultureInfo.InvariantCulture);
                var update = Valid(Record($"\"$add\":{{\"n\":{(asStrings ? Quote(literal) : literal)}}}"));
                var result = Apply(profile, update);
                // Round-trip through JSON text, as storage does.
                profile = result.Profile is null ? profile : ParseObject(result.Profile.ToJsonString());
            }

            var text = profile!["n"]!.ToJsonString();
            Assert.Equal(expected, decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            Assert.DoesNotContain("E", text, StringComparison.OrdinalIgnoreCase);
            if (expected == decimal.Truncate(expected))
            {
                Assert.DoesNotContain(".", text, StringComparison.Ordinal);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Union_keeps_the_list_appends_new_values_once_and_is_idempotent()
    {
        Gen.Select(ListJson, ListJson).Sample((existingJson, valuesJson) =>
        {
            var existing = JsonNode.Parse(existingJson)!.AsArray();
            var values = JsonNode.Parse(valuesJson)!.AsArray();
            var current = new JsonObject { ["l"] = existing.DeepClone() };
            var update = Valid(Record($"\"$union\":{{\"l\":{valuesJson}}}"));
            var once = After(current, update);
            var list = once["l"]!.AsArray();

            for (var i = 0; i < existing.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(existing[i], list[i]), "the existing list changed");
            }

            var added = list.Skip(existing.Count).ToList();
            foreach (var value in added)
            {
                Assert.DoesNotContain(existing, e => JsonNode.DeepEquals(e, value));
                Assert.Single(added, a => JsonNode.DeepEquals(a, value));
            }

            foreach (var value in values)
            {
                Assert.Contains(list, e => JsonNode.DeepEquals(e, value));
            }

            var twice = Apply(once, update);
            Assert.Equal(ApplyStatus.Unchanged, twice.Status);
        }, iter: Iterations);
    }

    [Fact]
    public void Remove_takes_out_exactly_the_equal_elements()
    {
        Gen.Select(ListJson, ScalarJson).Sample((existingJson, valueJson) =>
        {
            var existing = JsonNode.Parse(existingJson)!.AsArray();
            var value = JsonNode.Parse(valueJson);
            var profile = After(new JsonObject { ["l"] = existing.DeepClone() }, Valid(Record($"\"$remove\":{{\"l\":{valueJson}}}")));
            var expected = new JsonArray(existing.Where(e => !JsonNode.DeepEquals(e, value)).Select(e => e?.DeepClone()).ToArray());
            Assert.True(JsonNode.DeepEquals(expected, profile["l"]), $"{profile["l"]!.ToJsonString()} should be {expected.ToJsonString()}");
        }, iter: Iterations);
    }

    [Fact]
    public void Append_adds_exactly_one_element_at_the_end()
    {
        Gen.Select(ListJson, ValueJson).Sample((existingJson, valueJson) =>
        {
            var existing = JsonNode.Parse(existingJson)!.AsArray();
            var profile = After(new JsonObject { ["l"] = existing.DeepClone() }, Valid(Record($"\"$append\":{{\"l\":{valueJson}}}")));
            var list = profile["l"]!.AsArray();
            Assert.Equal(existing.Count + 1, list.Count);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(valueJson), list[^1]));
        }, iter: Iterations);
    }

    [Fact]
    public void Set_once_fills_only_absent_keys()
    {
        Gen.Select(ProfileJson, ObjectJson(ValueJson)).Sample((profileJson, setOnceJson) =>
        {
            var current = ParseObject(profileJson);
            var given = ParseObject(setOnceJson);
            var profile = After(current, Valid(Record("\"$set_once\":" + setOnceJson)));
            foreach (var (name, value) in given)
            {
                var expected = current.TryGetPropertyValue(name, out var stored) ? stored : value;
                Assert.True(JsonNode.DeepEquals(expected, profile[name]), name);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Set_then_unset_of_the_same_keys_leaves_the_other_keys()
    {
        Gen.Select(ProfileJson, ObjectJson(ValueJson), Gen.Bool).Sample((profileJson, setJson, oneRecord) =>
        {
            var current = ParseObject(profileJson);
            var keys = ParseObject(setJson).Select(p => p.Key).ToList();
            var unset = "\"$unset\":[" + string.Join(",", keys.Select(Quote)) + "]";
            JsonObject profile;
            if (oneRecord)
            {
                profile = After(current, Valid(Record($"\"$set\":{setJson},{unset}")));
            }
            else
            {
                profile = After(After(current, Valid(Record("\"$set\":" + setJson))), Valid(Record(unset)));
            }

            var expected = current.DeepClone().AsObject();
            foreach (var key in keys)
            {
                expected.Remove(key);
            }

            Assert.True(JsonNode.DeepEquals(expected, UserProperties(profile)), $"{UserProperties(profile).ToJsonString()} should be {expected.ToJsonString()}");
        }, iter: Iterations);
    }

    [Fact]
    public void The_property_limit_holds_and_a_rejected_update_leaves_state_equal()
    {
        var names = Gen.Int[0, 14].Select(i => "p" + i.ToString(CultureInfo.InvariantCulture));
        Gen.Select(names.Array[0, 12], names.Array[0, 6], names.Array[0, 3], Gen.Int[1, 10], Gen.Bool, Gen.Bool)
            .Sample((existingNames, setNames, unsetNames, limit, exists, ignoreTime) =>
            {
                var current = exists ? new JsonObject(existingNames.Distinct().Select(n => KeyValuePair.Create(n, (JsonNode?)JsonValue.Create(1)))) : null;
                var before = current?.ToJsonString();
                var limits = new ProfileLimits { MaxPropertiesPerProfile = limit };
                var set = "{" + string.Join(",", setNames.Distinct().Select(n => $"\"{n}\":2")) + "}";
                var unset = "[" + string.Join(",", unsetNames.Select(Quote)) + "]";
                var update = Valid(Record($"\"$set\":{set},\"$unset\":{unset},\"$ignore_time\":{(ignoreTime ? "true" : "false")}"), limits: limits);

                var result = Apply(current, update, limits);

                var keys = new HashSet<string>(current?.Select(p => p.Key) ?? []);
                keys.UnionWith(setNames);
                keys.ExceptWith(unsetNames);
                if (current is null) keys.Add(ProfileEngine.Created);
                if (!ignoreTime) keys.Add(ProfileEngine.LastSeen);
                var allowed = keys.Count <= limit || keys.Count <= (current?.Count ?? 0);

                Assert.Equal(before, current?.ToJsonString());
                if (allowed)
                {
                    Assert.True(result.IsApplied);
                    var count = result.Profile?.Count ?? current!.Count;
                    Assert.Equal(keys.Count, count);
                    Assert.True(count <= limit || count <= current!.Count);
                }
                else
                {
                    Assert.Equal(ApplyStatus.Rejected, result.Status);
                    Assert.Null(result.Profile);
                    Assert.NotNull(result.Error);
                }
            }, iter: Iterations);
    }

    [Fact]
    public void Delete_deletes_whatever_the_profile_holds()
    {
        ProfileJson.Sample(profileJson =>
        {
            var result = Apply(ParseObject(profileJson), Valid(Record("\"$delete\":null")));
            Assert.Equal(ApplyStatus.Deleted, result.Status);
            Assert.Null(result.Profile);
        }, iter: 500);
    }
}
