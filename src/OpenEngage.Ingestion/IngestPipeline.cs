using System.Net;
using System.Text.Json;
using OpenEngage.Geolocation;
using OpenEngage.Ingestion.Identity;
using OpenEngage.Profiles;
using OpenEngage.Projects;
using OpenEngage.Storage;

namespace OpenEngage.Ingestion;

/// <summary>Where a batch came from: the kind of profile it addresses, when it arrived, and the client IP for geolocation.</summary>
/// <param name="Kind">User profiles (<c>/engage</c>) or group profiles (<c>/groups</c>).</param>
/// <param name="ReceivedAt">When the server received the batch: the time of records without <c>$time</c>.</param>
/// <param name="ClientIp">The address to geolocate records without their own <c>$ip</c>; null when the request's <c>ip</c> parameter is 0.</param>
/// <param name="Source">Where the batch came from, kept in the change log and the history (<c>engage</c>, <c>groups</c>, <c>cli-import</c>, <c>ui</c>, ...).</param>
/// <param name="Credential">The name of the credential that sent the batch (never a secret).</param>
public readonly record struct IngestContext(ProfileKind Kind, DateTimeOffset ReceivedAt, IPAddress? ClientIp, string Source = "engage", string Credential = "token");

/// <summary>
/// Turns a batch of JSON records into stored changes: reads and validates each record, resolves its
/// project, geolocates it, and applies the valid ones in batch order through the store.
/// </summary>
public sealed class IngestPipeline(RecordReader reader, ProjectDirectory projects, IGeoLocator geo, IProfileStore store, IdentityResolver identities)
{
    public async Task<IngestResult> IngestAsync(IReadOnlyList<JsonElement> records, IngestContext context, CancellationToken cancellationToken = default)
    {
        var failed = new List<FailedRecord>();
        var warnings = new List<RecordNotice>();
        var updates = new List<ProfileUpdate>(records.Count);
        var unknownTokens = 0;
        IngestionMetrics.RecordsReceived(records.Count);

        var accepted = new List<(int Index, ParsedRecord Record, string Project, bool ArrivalOrder)>(records.Count);
        for (var index = 0; index < records.Count; index++)
        {
            var read = reader.Read(records[index], context.Kind, context.ReceivedAt);
            if (read.Record is not { } record)
            {
                failed.Add(new FailedRecord(index, read.DistinctId, read.Error!.Field, read.Error.Message));
                continue;
            }

            var project = projects.FindByToken(record.Token);
            if (project is null)
            {
                failed.Add(new FailedRecord(index, record.DistinctId, "$token", "unknown project token"));
                unknownTokens++;
                continue;
            }

            accepted.Add((index, record, project.EffectiveId, project.OrdersByArrival));
        }

        // A user record goes to its cluster's canonical profile unless it sets $ignore_alias (§8).
        var canonical = await CanonicalIdsAsync(accepted, cancellationToken).ConfigureAwait(false);
        foreach (var (_, record, project, arrivalOrder) in accepted)
        {
            var warningsOfRecord = record.Warnings;
            GeoInfo? location = null;
            if (record.Operations.SetsProperties && geo.IsEnabled)
            {
                var (address, notice) = GeolocationAddress(record, context.ClientIp);
                if (notice is not null)
                {
                    warningsOfRecord = [.. warningsOfRecord, notice];
                }

                if (address is not null)
                {
                    location = geo.Locate(address);
                }
            }

            var id = Resolvable(record) && canonical.TryGetValue(project, out var ids) ? ids[record.DistinctId] : record.DistinctId;
            updates.Add(new ProfileUpdate
            {
                Key = new ProfileKey(project, record.GroupKey, id),
                Time = record.Time,
                TimeFromRecord = record.TimeFromRecord,
                IgnoreTime = record.IgnoreTime,
                ReceivedAt = context.ReceivedAt,
                Source = context.Source,
                Credential = context.Credential,
                ArrivalOrder = arrivalOrder,
                Operations = record.Operations,
                Geo = location,
                Warnings = warningsOfRecord,
            });
        }

        var applied = 0;
        if (updates.Count > 0)
        {
            IReadOnlyList<ApplyResult> results;
            try
            {
                results = await store.ApplyAsync(updates, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                IngestionMetrics.RecordsRejected(updates.Count, IngestionMetrics.StoreFailure);
                IngestionMetrics.RecordsRejected(unknownTokens, IngestionMetrics.UnknownToken);
                IngestionMetrics.RecordsRejected(failed.Count - unknownTokens, IngestionMetrics.InvalidRecord);
                throw;
            }

            for (var i = 0; i < results.Count; i++)
            {
                var result = results[i];
                var index = accepted[i].Index;
                foreach (var warning in result.Warnings)
                {
                    warnings.Add(new RecordNotice(index, warning.Field, warning.Message));
                }

                if (result.IsApplied)
                {
                    applied++;
                }
                else
                {
                    failed.Add(new FailedRecord(index, updates[i].Key.Id, result.Error!.Field, result.Error.Message));
                }
            }
        }

        IngestionMetrics.RecordsApplied(applied);
        IngestionMetrics.RecordsRejected(unknownTokens, IngestionMetrics.UnknownToken);
        IngestionMetrics.RecordsRejected(failed.Count - unknownTokens, IngestionMetrics.InvalidRecord);
        failed.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new IngestResult(applied, failed, warnings);
    }

    /// <summary>Per project, the canonical id of every user record that does not set <c>$ignore_alias</c>.</summary>
    private async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> CanonicalIdsAsync(List<(int Index, ParsedRecord Record, string Project, bool ArrivalOrder)> accepted, CancellationToken cancellationToken)
    {
        var canonical = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var group in accepted.Where(entry => Resolvable(entry.Record)).GroupBy(entry => entry.Project, StringComparer.Ordinal))
        {
            canonical[group.Key] = await identities.ResolveAsync(group.Key, group.Select(entry => entry.Record.DistinctId), cancellationToken).ConfigureAwait(false);
        }

        return canonical;
    }

    private static bool Resolvable(ParsedRecord record) => record.GroupKey.Length == 0 && !record.IgnoreAlias;

    /// <summary>The record's own <c>$ip</c> wins over the request's address; <c>"0"</c> turns it off.</summary>
    private static (IPAddress? Address, RecordWarning? Notice) GeolocationAddress(ParsedRecord record, IPAddress? clientIp)
    {
        if (record.IpDisabled)
        {
            return (null, null);
        }

        if (record.Ip is null)
        {
            return (clientIp, null);
        }

        return IpAddressText.TryParseIp(record.Ip, out var address)
            ? (address, null)
            : (null, new RecordWarning("$ip", $"\"{record.Ip}\" is not an IP address; no geolocation for this record"));
    }
}
