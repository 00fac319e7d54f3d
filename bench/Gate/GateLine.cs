namespace OpenEngage.BenchGate;

/// <summary>One figure's comparison: the baseline's ratio, this run's, and the verdict.</summary>
public sealed record GateLine(string Name, double? Baseline, double? Current, GateVerdict Verdict)
{
    /// <summary>This run's ratio relative to the baseline's (1 = unchanged); null when one is missing.</summary>
    public double? Change => Baseline is { } baseline && Current is { } current ? current / baseline : null;
}
