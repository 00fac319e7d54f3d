using OpenEngage.BenchGate;

namespace OpenEngage.Bench.Tests;

public sealed class RegressionGateTests
{
    private static readonly BenchBaseline Baseline = new()
    {
        Ratios = new Dictionary<string, double> { ["a"] = 0.10, ["b"] = 0.50, ["c"] = 0.08 },
    };

    [Fact]
    public void A_ratio_within_the_tolerance_passes_and_one_beyond_it_is_a_regression()
    {
        var lines = RegressionGate.Compare(Baseline, new Dictionary<string, double> { ["a"] = 0.076, ["b"] = 0.374, ["c"] = 0.2 }, 0.25);

        Assert.Equal(GateVerdict.Pass, Verdict(lines, "a"));
        Assert.Equal(GateVerdict.Regression, Verdict(lines, "b"));
        Assert.Equal(GateVerdict.Pass, Verdict(lines, "c"));
        Assert.True(RegressionGate.Failed(lines));
    }

    [Fact]
    public void The_floor_is_the_baseline_less_the_tolerance_inclusive()
    {
        var atFloor = RegressionGate.Compare(Baseline, new Dictionary<string, double> { ["b"] = 0.5 * 0.75 }, 0.25);
        var justBelow = RegressionGate.Compare(Baseline, new Dictionary<string, double> { ["b"] = 0.5 * 0.75 * 0.999 }, 0.25);

        Assert.Equal(GateVerdict.Pass, Verdict(atFloor, "b"));
        Assert.Equal(GateVerdict.Regression, Verdict(justBelow, "b"));
    }

    [Fact]
    public void With_no_tolerance_any_fall_is_a_regression_and_a_rise_is_not()
    {
        var lines = RegressionGate.Compare(Baseline, new Dictionary<string, double> { ["a"] = 0.0999, ["b"] = 0.9 }, 0);

        Assert.Equal(GateVerdict.Regression, Verdict(lines, "a"));
        Assert.Equal(GateVerdict.Pass, Verdict(lines, "b"));
    }

    [Fact]
    public void Figures_on_one_side_only_are_reported_and_never_fail_the_gate()
    {
        var lines = RegressionGate.Compare(Baseline, new Dictionary<string, double> { ["a"] = 0.1, ["d"] = 0.01, ["c"] = double.NaN }, 0.25);

        Assert.Equal(GateVerdict.NotMeasured, Verdict(lines, "b"));
        Assert.Equal(GateVerdict.NotMeasured, Verdict(lines, "c"));
        Assert.Equal(GateVerdict.New, Verdict(lines, "d"));
        Assert.False(RegressionGate.Failed(lines));
        Assert.Contains("| d | — | 0.0100 | — | new (not in the baseline) |", RegressionGate.Format(lines, 0.25), StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_survives_a_round_trip_through_its_file()
    {
        var written = new BenchBaseline { Command = "bench --seconds 10", Measured = "2026-01-02T03:04:05Z", Note = "shared", Ratios = Baseline.Ratios };

        var read = BenchBaseline.Parse(written.ToJson());

        Assert.Equal(written.Command, read.Command);
        Assert.Equal(written.Note, read.Note);
        Assert.Equal(Baseline.Ratios.OrderBy(p => p.Key), read.Ratios.OrderBy(p => p.Key));
        Assert.Contains("\"ratios\"", written.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ratios": {"a": 0}}""")]
    [InlineData("""{"ratios": {"a": -0.5}}""")]
    [InlineData("null")]
    public void A_baseline_with_an_unusable_ratio_is_refused(string json) =>
        Assert.Throws<FormatException>(() => BenchBaseline.Parse(json));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_tolerance_outside_zero_to_one_is_refused(double tolerance) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionGate.Compare(Baseline, new Dictionary<string, double>(), tolerance));

    private static GateVerdict Verdict(IReadOnlyList<GateLine> lines, string name) => lines.Single(line => line.Name == name).Verdict;
}
