namespace OpenEngage.Server.Tests;

/// <summary>
/// Tests that read OpenEngage's metrics: the instruments are process-wide, so these run alone,
/// after the tests that run in parallel, and no other test's records are counted in theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
