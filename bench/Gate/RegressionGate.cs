using System.Globalization;
using System.Text;

namespace OpenEngage.BenchGate;

/// <summary>
/// Compares a run's ratios (OpenEngage ÷ its reference in the same run, higher is better) with a
/// baseline's: a figure regresses when it falls below the baseline's ratio × (1 − tolerance).
/// Figures only one side has are reported, never failed.
/// </summary>
public static class RegressionGate
{
    public const double DefaultTolerance = 0.25;

    public static IReadOnlyList<GateLine> Compare(BenchBaseline baseline, IReadOnlyDictionary<string, double> current, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        if (!double.IsFinite(tolerance) || tolerance < 0 || tolerance >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance is a fraction from 0 up to (not including) 1.");
        }

        var lines = new List<GateLine>();
        foreach (var (name, reference) in baseline.Ratios.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!current.TryGetValue(name, out var measured) || double.IsNaN(measured))
            {
                lines.Add(new GateLine(name, reference, null, GateVerdict.NotMeasured));
                continue;
            }

            var floor = reference * (1 - tolerance);
            lines.Add(new GateLine(name, reference, measured, measured >= floor ? GateVerdict.Pass : GateVerdict.Regression));
        }

        foreach (var (name, measured) in current.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!baseline.Ratios.ContainsKey(name))
            {
                lines.Add(new GateLine(name, null, measured, GateVerdict.New));
            }
        }

        return lines;
    }

    /// <summary>Whether any figure regressed.</summary>
    public static bool Failed(IEnumerable<GateLine> lines) => lines.Any(line => line.Verdict == GateVerdict.Regression);

    /// <summary>The comparison as a compact Markdown table.</summary>
    public static string Format(IReadOnlyList<GateLine> lines, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(culture, $"Gate (tolerance {tolerance:P0}: a ratio may fall to {1 - tolerance:P0} of the baseline's):");
        text.AppendLine();
        text.AppendLine("| Figure | Baseline ratio | This run | Change | Verdict |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var line in lines)
        {
            var verdict = line.Verdict switch
            {
                GateVerdict.Pass => "pass",
                GateVerdict.Regression => "**REGRESSION**",
                GateVerdict.NotMeasured => "not measured",
                _ => "new (not in the baseline)",
            };
            text.AppendLine(culture, $"| {line.Name} | {Ratio(line.Baseline)} | {Ratio(line.Current)} | {(line.Change is { } change ? change.ToString("P0", culture) : "—")} | {verdict} |");
        }

        return text.ToString();

        string Ratio(double? value) => value is { } v ? v.ToString("0.0000", culture) : "—";
    }
}
