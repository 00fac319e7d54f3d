using System.Diagnostics;

namespace OpenEngage.Server.Cli;

/// <summary>
/// Progress of an import on standard error: records so far, their rate and, when the file's size is
/// known, the share read and the time left. On a terminal one line is rewritten; otherwise a line
/// is written at most every <see cref="Interval"/> (the first at once), for logs.
/// </summary>
internal sealed class ImportProgress(TextWriter error, long? totalBytes)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly bool _terminal = error == Console.Error && !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _last;
    private int _width;

    public void Report(long records, long? bytesRead)
    {
        var now = _clock.Elapsed;
        if (_last is { } last && now - last < Interval)
        {
            return;
        }

        _last = now;
        var rate = records / Math.Max(now.TotalSeconds, 0.001);
        var text = $"Importing: {records:N0} record(s), {rate:N0}/s";
        if (totalBytes is > 0 && bytesRead is { } read)
        {
            var share = Math.Min(1.0, (double)read / totalBytes.Value);
            var left = share <= 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(now.TotalSeconds * (1 - share) / share);
            text += $", {share * 100:F0}% of the file{(left is { } l ? $", about {Format(l)} left" : "")}";
        }

        Write(text, final: false);
    }

    public void Finish(long records)
    {
        if (_last is null)
        {
            return;
        }

        var now = _clock.Elapsed;
        Write($"Importing: {records:N0} record(s) in {Format(now)}, {records / Math.Max(now.TotalSeconds, 0.001):N0}/s", final: true);
    }

    private void Write(string text, bool final)
    {
        lock (error)
        {
            if (_terminal)
            {
                error.Write("\r" + text.PadRight(_width));
                _width = text.Length;
                if (final)
                {
                    error.WriteLine();
                }
            }
            else
            {
                error.WriteLine(text);
            }

            error.Flush();
        }
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours} h {time.Minutes} min"
        : time.TotalMinutes >= 1 ? $"{(int)time.TotalMinutes} min {time.Seconds} s"
        : $"{Math.Max(1, (int)Math.Ceiling(time.TotalSeconds))} s";
}
