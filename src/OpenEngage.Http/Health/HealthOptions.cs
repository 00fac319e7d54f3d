using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http.Health;

/// <summary>The <c>Health</c> settings of the readiness check.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>A commit running this long, or queued updates waiting this long, make the server not ready.</summary>
    [Range(0.1, 3600)]
    public double WriterStallSeconds { get; set; } = 10;

    /// <summary>How long the storage probe may take before the server counts as not ready.</summary>
    [Range(0.1, 600)]
    public double ProbeTimeoutSeconds { get; set; } = 5;
}
