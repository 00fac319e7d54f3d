using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace OpenEngage.Bench;

/// <summary>What one timed run produced.</summary>
internal sealed record LoadResult(
    TimeSpan Elapsed,
    long Requests,
    long Records,
    long Errors,
    string? FirstError,
    double[] LatenciesMs)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1;
        return LatenciesMs[Math.Clamp(rank, 0, LatenciesMs.Length - 1)];
    }
}

/// <summary>
/// Sends pre-generated bodies from a fixed number of concurrent connections, each sending its next
/// request when the previous answer arrived (a closed loop). Workers stop starting requests at the
/// deadline; requests in flight then are finished and counted, and the elapsed time includes them.
/// </summary>
internal static class LoadRunner
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LoadResult> RunAsync(Uri target, RequestBody[] bodies, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };

        var next = -1L;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = new Task<WorkerResult>[connections];
        for (var w = 0; w < connections; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                var result = new WorkerResult();
                while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
                {
                    var body = bodies[(int)(Interlocked.Increment(ref next) % bodies.Length)];
                    using var content = new ByteArrayContent(body.Bytes);
                    content.Headers.ContentType = Json;
                    if (body.Gzip)
                    {
                        content.Headers.ContentEncoding.Add("gzip");
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content, Version = HttpVersion.Version11 };
                    var sent = Stopwatch.GetTimestamp();
                    string? error = null;
                    try
                    {
                        using var response = await client.SendAsync(request, cancellationToken);
                        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                        if (response.StatusCode != HttpStatusCode.OK || answer != "1")
                        {
                            error = $"HTTP {(int)response.StatusCode}: {answer}";
                        }
                    }
                    catch (HttpRequestException exception)
                    {
                        error = exception.Message;
                    }
                    catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        error = $"timed out: {exception.Message}";
                    }

                    result.Latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    result.Requests++;
                    if (error is null)
                    {
                        result.Records += body.Records;
                    }
                    else
                    {
                        result.Errors++;
                        result.FirstError ??= error;
                    }
                }

                return result;
            }, cancellationToken);
        }

        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        return new LoadResult(
            elapsed,
            results.Sum(r => r.Requests),
            results.Sum(r => r.Records),
            results.Sum(r => r.Errors),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
            latencies);
    }

    private sealed class WorkerResult
    {
        public List<double> Latencies { get; } = new(64 * 1024);

        public long Requests { get; set; }

        public long Records { get; set; }

        public long Errors { get; set; }

        public string? FirstError { get; set; }
    }
}
