using System.Collections.Concurrent;
using System.Net;

namespace OpenEngage.Http.RateLimiting;

/// <summary>
/// Slows guessing of query API credentials: a request with wrong credentials is answered after a
/// delay that doubles with each recent failure from the same client address (100 ms, 200 ms, …,
/// at most 5 s). An address's failures are forgotten 15 minutes after its last one.
/// </summary>
/// <remarks>
/// Requests with the right credentials are never delayed. At most <see cref="MaxAddresses"/>
/// addresses are remembered; beyond, the ones whose failures are forgotten anyway are dropped first,
/// then the whole table, so memory stays bounded whatever the number of addresses.
/// </remarks>
public sealed class AuthenticationThrottle(TimeProvider time)
{
    public const int MaxAddresses = 100_000;

    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    /// <summary>Records a failure of <paramref name="address"/> and returns how long to wait before answering it.</summary>
    public TimeSpan Failed(IPAddress? address)
    {
        address ??= IPAddress.None;
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxAddresses)
        {
            Prune(now);
        }

        var failures = _failures.AddOrUpdate(
            address,
            static (_, now) => new Failures(1, now),
            static (_, previous, now) => new Failures(now - previous.Last > Memory ? 1 : Math.Min(previous.Count + 1, 64), now),
            now);
        var delay = FirstDelay * Math.Pow(2, failures.Count - 1);
        return delay < MaxDelay ? delay : MaxDelay;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, failures) in _failures)
        {
            if (now - failures.Last > Memory)
            {
                _failures.TryRemove(address, out _);
            }
        }

        if (_failures.Count >= MaxAddresses)
        {
            _failures.Clear();
        }
    }

    private readonly record struct Failures(int Count, DateTimeOffset Last);
}
