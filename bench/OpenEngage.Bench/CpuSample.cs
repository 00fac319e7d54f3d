using System.Diagnostics;
using System.Globalization;

namespace OpenEngage.Bench;

/// <summary>CPU time used so far by the server, by this load generator and by the whole machine.</summary>
internal readonly record struct CpuSample(long Timestamp, TimeSpan Server, TimeSpan LoadGenerator, TimeSpan MachineBusy)
{
    /// <summary>Linux reports <c>/proc/stat</c> in USER_HZ, 100 per second on every mainstream build.</summary>
    private const double ClockTicksPerSecond = 100;

    public static CpuSample Take(ServerProcess server)
    {
        using var self = Process.GetCurrentProcess();
        return new CpuSample(Stopwatch.GetTimestamp(), server.CpuTime(), self.TotalProcessorTime, MachineBusyTime());
    }

    /// <summary>Average cores busy between two samples, per consumer.</summary>
    public static (double Server, double LoadGenerator, double Other) Cores(CpuSample from, CpuSample to)
    {
        var seconds = Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds;
        var server = (to.Server - from.Server).TotalSeconds / seconds;
        var load = (to.LoadGenerator - from.LoadGenerator).TotalSeconds / seconds;
        var machine = (to.MachineBusy - from.MachineBusy).TotalSeconds / seconds;
        return (server, load, Math.Max(0, machine - server - load));
    }

    /// <summary>Busy time of all CPUs together: the first line of <c>/proc/stat</c> less idle and iowait.</summary>
    private static TimeSpan MachineBusyTime()
    {
        var line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
        var busy = fields.Take(8).Sum() - fields[3] - fields[4];
        return TimeSpan.FromSeconds(busy / ClockTicksPerSecond);
    }
}
