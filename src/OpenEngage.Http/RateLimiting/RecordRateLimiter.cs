using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OpenEngage.Projects;

namespace OpenEngage.Http.RateLimiting;

/// <summary>
/// The records-per-second budget of each project (contract §6): one token bucket per project,
/// <see cref="RateLimitingOptions.Burst"/> records deep, refilled at
/// <see cref="RateLimitingOptions.RecordsPerSecond"/>.
/// </summary>
/// <remarks>
/// A request is admitted or refused as a whole, after its body is parsed: its records are counted
/// per project (by <c>$token</c>; records with an unknown or missing token are not counted, they
/// are rejected anyway), and it is admitted only when every project it names has budget for all
/// of its records. A request that could never fit (more records for one project than the burst)
/// is refused with 413 rather than 429, so a client does not retry it forever.
/// </remarks>
public sealed class RecordRateLimiter : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);
    private readonly ProjectDirectory _projects;
    private readonly TokenBucketRateLimiterOptions? _bucket;

    public RecordRateLimiter(IOptions<RateLimitingOptions> options, ProjectDirectory projects)
    {
        ArgumentNullException.ThrowIfNull(options);
        _projects = projects;
        var settings = options.Value;
        if (settings.RecordsPerSecond <= 0)
        {
            return;
        }

        // Refill about ten times a second (at least one record at a time), so the budget flows evenly.
        var perPeriod = (int)Math.Clamp(Math.Round(settings.RecordsPerSecond / 10), 1, int.MaxValue);
        RecordsPerSecond = settings.RecordsPerSecond;
        Burst = settings.EffectiveBurst;
        _bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / settings.RecordsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public bool IsEnabled => _bucket is not null;

    public double RecordsPerSecond { get; }

    public int Burst { get; }

    /// <summary>Takes the budget for <paramref name="records"/>, or says why the request is refused.</summary>
    public RecordAdmission Admit(IReadOnlyList<JsonElement> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (_bucket is null)
        {
            return RecordAdmission.Admitted;
        }

        var counts = CountByProject(records);
        foreach (var (project, count) in counts)
        {
            if (count > Burst)
            {
                return new RecordAdmission(413, 0, $"this request holds {count} records of project {project}, more than its rate limit lets through at once ({Burst}, RateLimiting:Burst); send smaller batches");
            }
        }

        // Check every project first, so a request refused for one project spends nobody's budget.
        foreach (var (project, count) in counts)
        {
            var available = Bucket(project).GetStatistics()?.CurrentAvailablePermits ?? 0;
            if (available < count)
            {
                return Refused(project, count - available);
            }
        }

        foreach (var (project, count) in counts)
        {
            using var lease = Bucket(project).AttemptAcquire(count);
            if (!lease.IsAcquired)
            {
                // Another request took the budget since the check.
                return Refused(project, count);
            }
        }

        return RecordAdmission.Admitted;
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }

    private RecordAdmission Refused(string project, long missing)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(missing / RecordsPerSecond), 1, int.MaxValue);
        return new RecordAdmission(429, seconds, $"rate limit exceeded: project {project} may send {RecordsPerSecond} records per second (bursts of {Burst}); retry after {seconds} s");
    }

    private TokenBucketRateLimiter Bucket(string project) => _buckets.GetOrAdd(project, static (_, options) => new TokenBucketRateLimiter(options), _bucket!);

    private List<KeyValuePair<string, int>> CountByProject(IReadOnlyList<JsonElement> records)
    {
        var counts = new List<KeyValuePair<string, int>>(1);
        foreach (var record in records)
        {
            if (record.ValueKind != JsonValueKind.Object
                || !record.TryGetProperty("$token", out var token)
                || token.ValueKind != JsonValueKind.String
                || _projects.FindByToken(token.GetString()!) is not { } project)
            {
                continue;
            }

            var id = project.EffectiveId;
            var index = counts.FindIndex(count => string.Equals(count.Key, id, StringComparison.Ordinal));
            if (index < 0)
            {
                counts.Add(new KeyValuePair<string, int>(id, 1));
            }
            else
            {
                counts[index] = new KeyValuePair<string, int>(id, counts[index].Value + 1);
            }
        }

        return counts;
    }
}
