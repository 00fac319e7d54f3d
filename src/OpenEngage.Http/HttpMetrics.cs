using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenEngage.Http;

/// <summary>
/// The HTTP edge's instruments on the meter <c>OpenEngage.Http</c>: query latency and requests
/// refused or slowed by the rate limits.
/// </summary>
public static class HttpMetrics
{
    public const string MeterName = "OpenEngage.Http";

    /// <summary>The <c>limit</c> tag of a request refused for its project's records-per-second budget.</summary>
    public const string RecordsLimit = "records";

    /// <summary>The <c>limit</c> tag of a query refused because its project's concurrent queries and queue were full.</summary>
    public const string QueryConcurrencyLimit = "query_concurrency";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> QueryDuration = Meter.CreateHistogram(
        "openengage.query.duration",
        unit: "s",
        description: "Time to answer an Engage Query API request, from admission to the last byte written.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter<long> RateLimited = Meter.CreateCounter<long>(
        "openengage.rate_limited",
        unit: "{request}",
        description: "Requests refused with 429 by a rate limit, by limit.");

    private static readonly Counter<long> AuthenticationFailures = Meter.CreateCounter<long>(
        "openengage.authentication.failures",
        unit: "{request}",
        description: "Query API requests with wrong credentials (each answered after a delay that grows with the address's recent failures).");

    public static void QueryAnswered(long started) => QueryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

    public static void Refused(string limit) => RateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public static void AuthenticationFailed() => AuthenticationFailures.Add(1);
}
