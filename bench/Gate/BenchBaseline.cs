using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenEngage.BenchGate;

/// <summary>
/// The committed reference of the regression gate: for each measured figure, the ratio of
/// OpenEngage to its reference measured in the same run (higher is better), and how the ratios
/// were taken. Ratios, not absolute rates, because the reference absorbs most of the machine's
/// speed and of the other load on it.
/// </summary>
public sealed record BenchBaseline
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // A file for people to read: <, > and non-ASCII as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The command line that measured the ratios.</summary>
    public string? Command { get; init; }

    /// <summary>When they were measured (UTC, ISO 8601).</summary>
    public string? Measured { get; init; }

    /// <summary>Anything that qualifies the figures, such as other load on the machine.</summary>
    public string? Note { get; init; }

    /// <summary>Figure name → OpenEngage ÷ reference, in the same run.</summary>
    public IReadOnlyDictionary<string, double> Ratios { get; init; } = new Dictionary<string, double>();

    public static BenchBaseline Parse(string json)
    {
        var baseline = JsonSerializer.Deserialize<BenchBaseline>(json, Json)
            ?? throw new FormatException("the baseline file holds no baseline");
        if (baseline.Ratios is null)
        {
            throw new FormatException("the baseline file has no \"ratios\"");
        }

        foreach (var (name, ratio) in baseline.Ratios)
        {
            if (!double.IsFinite(ratio) || ratio <= 0)
            {
                throw new FormatException($"the baseline's ratio '{name}' must be a positive number, not {ratio}");
            }
        }

        return baseline;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
