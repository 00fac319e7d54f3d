using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http.RateLimiting;

/// <summary>The <c>RateLimiting</c> settings: records per second per project, and concurrent queries per project.</summary>
public sealed class RateLimitingOptions : IValidatableObject
{
    /// <summary>The lowest rate that is not 0: one record every 1,000 seconds.</summary>
    public const double MinRecordsPerSecond = 0.001;

    public const string Section = "RateLimiting";

    /// <summary>Records per second each project (token) may send, sustained; 0 turns the limit off (the default).</summary>
    [Range(0, 1e9)]
    public double RecordsPerSecond { get; set; }

    /// <summary>Records a project may send at once above the sustained rate; 0 means one second's worth (at least 1).</summary>
    [Range(0, int.MaxValue)]
    public int Burst { get; set; }

    /// <summary>Query API requests of one project answered at the same time; 0 turns the limit off.</summary>
    [Range(0, 100_000)]
    public int QueryConcurrency { get; set; } = 5;

    /// <summary>Query API requests of one project that may wait for a turn; more are refused with 429 at once.</summary>
    [Range(0, 100_000)]
    public int QueryQueueLimit { get; set; } = 20;

    /// <summary>How long a query waits for a turn before it is refused with 429.</summary>
    [Range(0, 300)]
    public double QueryQueueSeconds { get; set; } = 2;

    /// <summary>The bucket size of the records limit.</summary>
    public int EffectiveBurst => Burst > 0 ? Burst : (int)Math.Clamp(Math.Ceiling(RecordsPerSecond), 1, int.MaxValue);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RecordsPerSecond is > 0 and < MinRecordsPerSecond)
        {
            yield return new ValidationResult($"RateLimiting:RecordsPerSecond must be 0 (off) or at least {MinRecordsPerSecond}.", [nameof(RecordsPerSecond)]);
        }
    }
}
