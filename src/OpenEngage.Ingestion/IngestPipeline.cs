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
        var indices = new List<int>(records.Count);
        var unknownTokens = 0;
        IngestionMetrics.RecordsReceived(records.Count);

        for (var index = 0; index < records.Count; index++)
        {
            var read = reader.Read(records[index], context.Kind, context.ReceivedAt);
            if (read.Update is not { } update)
            {
                failed.Add(new FailedRecord(index, read.DistinctId, read.Error!.Field, read.Error.Message));
                continue;
            }

            var project = projects.FindByToken(update.Token);
            if (project is null)
            {
                failed.Add(new FailedRecord(index, update.DistinctId, "$token", "unknown project token"));
                unknownTokens++;
                continue;
            }

            update = update with { Project = project.EffectiveId, ReceivedAt = context.ReceivedAt, Source = context.Source, Credential = context.Credential, ArrivalOrder = project.OrdersByArrival };
            if (update.SetsProperties && geo.IsEnabled)
            {
                var (address, notice) = GeolocationAddress(update, context.ClientIp);
                if (notice is not null)
                {
                    update = update with { Warnings = [.. update.Warnings, notice] };
                }

                if (address is not null)
                {
                    update = update with { Geo = geo.Locate(address) };
                }
            }

            updates.Add(update);
            indices.Add(index);
        }

        var applied = 0;
        if (updates.Count > 0)
        {
            // A user update goes to its cluster's canonical profile unless it sets $ignore_alias (§8).
            await identities.ResolveUpdatesAsync(updates, cancellationToken).ConfigureAwait(false);
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
                var index = indices[i];
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
                    failed.Add(new FailedRecord(index, updates[i].DistinctId, result.Error!.Field, result.Error.Message));
                }
            }
        }

        IngestionMetrics.RecordsApplied(applied);
        IngestionMetrics.RecordsRejected(unknownTokens, IngestionMetrics.UnknownToken);
        IngestionMetrics.RecordsRejected(failed.Count - unknownTokens, IngestionMetrics.InvalidRecord);
        failed.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new IngestResult(applied, failed, warnings);
    }

    /// <summary>The record's own <c>$ip</c> wins over the request's address; <c>"0"</c> turns it off.</summary>
    private static (IPAddress? Address, RecordWarning? Notice) GeolocationAddress(ProfileUpdate update, IPAddress? clientIp)
    {
        if (update.IpDisabled)
        {
            return (null, null);
        }

        if (update.Ip is null)
        {
            return (clientIp, null);
        }

        return IpAddressText.TryParseIp(update.Ip, out var address)
            ? (address, null)
            : (null, new RecordWarning("$ip", $"\"{update.Ip}\" is not an IP address; no geolocation for this record"));
    }
}
