using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenEngage.Bench;

/// <summary>
/// The memory run: creates a given number of distinct profiles on <c>/engage</c> (batches of fresh
/// ids, each a <c>$set</c> of four properties) and samples the server's resident set every second,
/// to show whether memory stays flat while the number of profiles grows. Bounded in time: it stops
/// at the profile count or at the time limit, whichever comes first.
/// </summary>
internal static class MemoryRun
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<string> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var loadStart = File.ReadAllText("/proc/loadavg").Trim();
        using var server = await ServerProcess.StartAsync(options.Server, options.ServerEnvironment, cancellationToken);
        var target = new Uri(server.BaseAddress, "/engage");
        var batches = (options.Profiles + options.BatchSize - 1) / options.BatchSize;
        Console.Error.WriteLine($"Memory run: {options.Profiles:N0} profiles in {batches:N0} batches of {options.BatchSize}, {options.BatchConnections} connections, at most {options.MemorySeconds} s...");

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.BatchConnections,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(options.MemorySeconds));

        var next = -1L;
        var created = 0L;
        var errors = 0L;
        string? firstError = null;
        var started = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.BatchConnections).Select(_ => Task.Run(async () =>
        {
            var buffer = new ArrayBufferWriter<byte>(options.BatchSize * 160);
            long batch;
            while (!stop.IsCancellationRequested && (batch = Interlocked.Increment(ref next)) < batches)
            {
                var first = batch * options.BatchSize;
                var count = (int)Math.Min(options.BatchSize, options.Profiles - first);
                WriteBatch(buffer, first, count);
                using var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
                content.Headers.ContentType = Json;
                try
                {
                    using var response = await client.PostAsync(target, content, stop.Token);
                    var answer = await response.Content.ReadAsStringAsync(stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK && answer == "1")
                    {
                        Interlocked.Add(ref created, count);
                        continue;
                    }

                    Interlocked.CompareExchange(ref firstError, $"HTTP {(int)response.StatusCode}: {answer}", null);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException exception)
                {
                    Interlocked.CompareExchange(ref firstError, exception.Message, null);
                }

                Interlocked.Increment(ref errors);
            }
        })).ToArray();

        // One sample a second: elapsed seconds, profiles acknowledged, resident set.
        var samples = new List<(double Seconds, long Profiles, long Rss)>();
        var all = Task.WhenAll(workers);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(1000, CancellationToken.None));
            var sample = (started.Elapsed.TotalSeconds, Interlocked.Read(ref created), server.ResidentBytes());
            samples.Add(sample);
            if (samples.Count % 10 == 0)
            {
                Console.Error.WriteLine($"  {sample.Item1,6:N0} s  {sample.Item2,12:N0} profiles  RSS {sample.Item3 / (1024.0 * 1024),6:N0} MiB");
            }
        }

        await all;
        var peak = server.PeakResidentBytes();
        return Report(options, samples, peak, Interlocked.Read(ref errors), firstError, loadStart, File.ReadAllText("/proc/loadavg").Trim());
    }

    private static void WriteBatch(ArrayBufferWriter<byte> buffer, long first, int count)
    {
        buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartArray();
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            writer.WriteStartObject();
            writer.WriteString("$token", Workload.Token);
            writer.WriteString("$distinct_id", string.Create(CultureInfo.InvariantCulture, $"m{n}"));
            writer.WriteStartObject("$set");
            writer.WriteString("plan", (n % 3) switch { 0 => "free", 1 => "pro", _ => "team" });
            writer.WriteString("city", string.Create(CultureInfo.InvariantCulture, $"city-{n % 500}"));
            writer.WriteNumber("score", n % 1000);
            writer.WriteString("email", string.Create(CultureInfo.InvariantCulture, $"user{n}@example.com"));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string Report(BenchOptions options, List<(double Seconds, long Profiles, long Rss)> samples, long peak, long errors, string? firstError, string loadStart, string loadEnd)
    {
        static double MiB(long bytes) => bytes / (1024.0 * 1024);
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(culture, $"Command: `{string.Join(' ', options.Arguments)}`");
        text.AppendLine();
        text.AppendLine(culture, $"Load average (1, 5, 15 min) at the start: {string.Join(' ', loadStart.Split(' ').Take(3))}; at the end: {string.Join(' ', loadEnd.Split(' ').Take(3))}.");
        text.AppendLine();
        if (samples.Count == 0)
        {
            text.AppendLine("No samples.");
            return text.ToString();
        }

        var last = samples[^1];
        text.AppendLine(culture, $"Created {last.Profiles:N0} of {options.Profiles:N0} profiles in {last.Seconds:N0} s ({last.Profiles / last.Seconds:N0} profiles/s), {errors} failed requests{(firstError is null ? "" : $" (first: {firstError})")}; server peak RSS {MiB(peak):N0} MiB.");
        text.AppendLine();

        // The resident set after each further tenth of the profiles.
        text.AppendLine("| Profiles created | Elapsed s | Profiles/s since the row before | RSS (MiB) | Max RSS so far (MiB) |");
        text.AppendLine("|---:|---:|---:|---:|---:|");
        var step = Math.Max(1, last.Profiles / 10);
        var previous = (Seconds: 0.0, Profiles: 0L, Rss: 0L);
        var max = 0L;
        var mark = step;
        foreach (var sample in samples)
        {
            max = Math.Max(max, sample.Rss);
            if (sample.Profiles >= mark || sample == last)
            {
                var rate = (sample.Profiles - previous.Profiles) / Math.Max(0.001, sample.Seconds - previous.Seconds);
                text.AppendLine(culture, $"| {sample.Profiles:N0} | {sample.Seconds:N0} | {rate:N0} | {MiB(sample.Rss):N0} | {MiB(max):N0} |");
                previous = sample;
                while (mark <= sample.Profiles)
                {
                    mark += step;
                }
            }
        }

        var firstHalf = samples.Where(s => s.Profiles <= last.Profiles / 2).Select(s => s.Rss).DefaultIfEmpty(0).Max();
        var secondHalf = samples.Where(s => s.Profiles > last.Profiles / 2).Select(s => s.Rss).DefaultIfEmpty(0).Max();
        text.AppendLine();
        text.AppendLine(culture, $"Max RSS while creating the first half of the profiles: {MiB(firstHalf):N0} MiB; the second half: {MiB(secondHalf):N0} MiB ({(firstHalf == 0 ? double.NaN : (double)secondHalf / firstHalf):P0} of the first).");
        return text.ToString();
    }
}
