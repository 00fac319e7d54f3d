using System.Diagnostics.Metrics;

namespace OpenEngage.Ingestion;

/// <summary>
/// The ingestion instruments on the meter <c>OpenEngage.Ingestion</c>: records received, applied
/// and rejected (by reason), and events acknowledged but not stored.
/// </summary>
/// <remarks>Recorded once per batch, not per record.</remarks>
public static class IngestionMetrics
{
    public const string MeterName = "OpenEngage.Ingestion";

    /// <summary>A record that failed validation, against its own content or the stored profile.</summary>
    public const string InvalidRecord = "invalid_record";

    /// <summary>A record whose <c>$token</c> names no configured project.</summary>
    public const string UnknownToken = "unknown_token";

    /// <summary>A valid record the store failed to write (the request was answered with an error).</summary>
    public const string StoreFailure = "store_failure";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Received = Meter.CreateCounter<long>(
        "openengage.records.received", unit: "{record}", description: "Profile update records received, valid or not.");

    private static readonly Counter<long> Applied = Meter.CreateCounter<long>(
        "openengage.records.applied", unit: "{record}", description: "Records applied and durable.");

    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "openengage.records.rejected", unit: "{record}", description: "Records not applied, by reason.");

    private static long _eventsNotStored;

    static IngestionMetrics()
    {
        // Observable, so the series exists (at zero) before the first such event.
        Meter.CreateObservableCounter(
            "openengage.events.acknowledged_not_stored",
            () => Volatile.Read(ref _eventsNotStored),
            unit: "{event}",
            description: "Events acknowledged on /track or /import but not stored: OpenEngage keeps profiles and the identity map, not events.");
    }

    public static void RecordsReceived(int count) => Received.Add(count);

    public static void RecordsApplied(int count)
    {
        if (count > 0)
        {
            Applied.Add(count);
        }
    }

    /// <summary>Counts <paramref name="count"/> rejected records; <paramref name="reason"/> is one of the constants of this class.</summary>
    public static void RecordsRejected(int count, string reason)
    {
        if (count > 0)
        {
            Rejected.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>An event was acknowledged but could not be stored.</summary>
    public static void EventNotStored() => Interlocked.Increment(ref _eventsNotStored);

    /// <summary><paramref name="count"/> events were acknowledged without being stored (they change no state here).</summary>
    public static void EventsNotStored(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _eventsNotStored, count);
        }
    }
}
