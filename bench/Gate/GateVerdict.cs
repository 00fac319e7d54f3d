namespace OpenEngage.BenchGate;

/// <summary>What the gate says of one figure.</summary>
public enum GateVerdict
{
    /// <summary>At or above the baseline's ratio less the tolerance.</summary>
    Pass,

    /// <summary>Below the baseline's ratio by more than the tolerance: a regression.</summary>
    Regression,

    /// <summary>In the baseline but not measured in this run (its scenario was not run): not judged.</summary>
    NotMeasured,

    /// <summary>Measured but not in the baseline: reported, not judged.</summary>
    New,
}
