using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.BenchSupport;

/// <summary>
/// The profiles the benches measure on: the same deterministic data for a given count, so the
/// benches that share it (linked into each) measure the same store.
/// </summary>
public static class BenchProfiles
{
    /// <summary>The project the profiles belong to.</summary>
    public const string Project = "bench";

    /// <summary>The instant the profiles' dates are relative to.</summary>
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Fills an empty store with <paramref name="count"/> profiles; leaves a store that already holds
    /// that many as it is, and refuses one that holds another number.
    /// </summary>
    public static async Task FillAsync(IProfileStore store, int count)
    {
        var existing = (await store.QueryAsync(new ProfileQuery(Project, "") { Limit = 0 })).Total;
        if (existing == count)
        {
            return;
        }

        if (existing != 0)
        {
            throw new InvalidOperationException($"The store holds {existing} profiles, not {count}: empty it first.");
        }

        var load = Stopwatch.StartNew();
        const int Batch = 5000;
        for (var start = 0; start < count; start += Batch)
        {
            var updates = new List<ProfileUpdate>(Batch);
            for (var i = start; i < Math.Min(count, start + Batch); i++)
            {
                updates.Add(Profile(i));
            }

            await store.ApplyAsync(updates);
        }

        Console.Error.WriteLine($"Loaded {count:N0} profiles in {load.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Profile number <paramref name="i"/> (distinct id <c>user-i</c>), the same on every call.</summary>
    public static ProfileUpdate Profile(int i)
    {
        var now = Now;
        var random = new Random(i);
        var set = new List<KeyValuePair<string, JsonNode?>>
        {
            new("$name", $"User {i}"),
            new("plan", random.Next(10) switch { < 6 => "free", < 9 => "pro", _ => "enterprise" }),
            new("age", 18 + random.Next(60)),
            new("score", Math.Round(random.NextDouble() * 1000, 2)),
            new("country", new[] { "FR", "US", "DE", "JP", "BR", "IN" }[random.Next(6)]),
            new("tags", new JsonArray([.. new[] { "beta", "newsletter", "mobile", "desktop", "vip" }.Where(_ => random.Next(4) == 0).Select(t => (JsonNode?)t)])),
            new("$last_seen", now.AddSeconds(-random.Next(180 * 86400)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
            new("$created", now.AddDays(-180 - random.Next(700)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
            new("logins", random.Next(500)),
            new("verified", random.Next(2) == 0),
            new("referrer", random.Next(3) == 0 ? "google" : "direct"),
            new("lifetime_value", random.Next(100_000) / 100m),
        };
        if (random.Next(3) != 0)
        {
            set.Add(new("email", $"user{i}@example.com"));
        }

        for (var extra = random.Next(8); extra > 0; extra--)
        {
            set.Add(new($"custom_{extra}", random.Next(1000)));
        }

        return new ProfileUpdate { Key = new ProfileKey(Project, "", "user-" + i), Time = now, IgnoreTime = true, Operations = new() { Set = set } };
    }
}
