using System.Globalization;

namespace OpenEngage.Server.Tests;

/// <summary>One scrape of <c>GET /metrics</c> (Prometheus text format), with the sums of its samples.</summary>
public sealed class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusScrape> ReadAsync(RunningServer server)
    {
        using var response = await server.Client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>True when a sample of <paramref name="name"/> is present.</summary>
    public bool Has(string name) => Samples(name, []).Any();

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/> (<c>key="value"</c>); 0 when none.</summary>
    public double Sum(string name, params string[] labels) => Samples(name, labels).Sum();

    private IEnumerable<double> Samples(string name, string[] labels)
    {
        foreach (var line in Text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || (line[name.Length] != '{' && line[name.Length] != ' '))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var labelText = line[name.Length] == '{' ? line[(name.Length + 1)..line.LastIndexOf('}')] : "";
            if (labels.All(label => labelText.Split(',').Contains(label, StringComparer.Ordinal)))
            {
                yield return double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
    }
}
