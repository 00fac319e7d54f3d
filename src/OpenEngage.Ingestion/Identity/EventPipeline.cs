using System.Globalization;
using System.Text.Json;
using OpenEngage.Profiles;
using OpenEngage.Projects;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Ingestion.Identity;

/// <summary>
/// Reads a batch of events (<c>/track</c>, <c>/import</c>) and applies the identity events among
/// them to the identity map (contract §8), one durable link at a time in batch order. Every other
/// valid event is acknowledged and not stored: OpenEngage keeps profiles, not events.
/// </summary>
public sealed class EventPipeline(ProjectDirectory projects, IdentityResolver identities)
{
    /// <summary>The warning of every event acknowledged without being stored.</summary>
    public const string NotStoredMessage = "events are not stored; only identity events change state here";

    private const int MaxIdLength = 255;

    public async Task<IngestResult> IngestAsync(IReadOnlyList<JsonElement> records, EventContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var failed = new List<FailedRecord>();
        var warnings = new List<RecordNotice>();
        var applied = 0;
        var notStored = 0;
        var unknownTokens = 0;
        IngestionMetrics.RecordsReceived(records.Count);

        for (var index = 0; index < records.Count; index++)
        {
            EventRead read;
            try
            {
                read = Read(records[index], context);
            }
            catch (EventRejected rejected)
            {
                failed.Add(new FailedRecord(index, rejected.DistinctId, rejected.Field, rejected.Message));
                unknownTokens += rejected.UnknownToken ? 1 : 0;
                continue;
            }
            catch (InvalidOperationException)
            {
                failed.Add(new FailedRecord(index, null, "", "the event holds a string that is not valid Unicode (an unpaired surrogate)"));
                continue;
            }

            foreach (var notice in read.Warnings)
            {
                warnings.Add(new RecordNotice(index, notice.Field, notice.Message));
            }

            if (read.Link is not { } link)
            {
                applied++;
                notStored++;
                warnings.Add(new RecordNotice(index, "event", NotStoredMessage));
                continue;
            }

            var result = await LinkAsync(link, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case IdentityLinkStatus.Rejected:
                    failed.Add(new FailedRecord(index, read.DistinctId, read.Field, result.Message!));
                    break;
                case IdentityLinkStatus.Ignored:
                    applied++;
                    warnings.Add(new RecordNotice(index, read.Field, result.Message!));
                    break;
                default:
                    applied++;
                    break;
            }
        }

        IngestionMetrics.RecordsApplied(applied);
        IngestionMetrics.EventsNotStored(notStored);
        IngestionMetrics.RecordsRejected(unknownTokens, IngestionMetrics.UnknownToken);
        IngestionMetrics.RecordsRejected(failed.Count - unknownTokens, IngestionMetrics.InvalidRecord);
        return new IngestResult(applied, failed, warnings);
    }

    /// <summary>Applies one link unless this node already knows it holds (a device seen on every event of a signed-in user).</summary>
    private async Task<IdentityLinkResult> LinkAsync(IdentityLinkRequest link, CancellationToken cancellationToken)
    {
        if (link.Mode == IdentityMode.Simplified && link.Kind is IdentityLinkKind.DeviceAndUser or IdentityLinkKind.Identify)
        {
            var forms = DeviceIds.Forms(link.Source);
            var known = await identities.ResolveAsync(link.Project, [link.Target, .. forms], cancellationToken).ConfigureAwait(false);
            if (known[link.Target] == link.Target && forms.All(form => form == link.Target || known[form] == link.Target))
            {
                return new IdentityLinkResult(IdentityLinkStatus.Unchanged, null, link.Target, []);
            }

            // A device known to belong to another user stays there: no write transaction to find that out again.
            if (known[link.Target] == link.Target && forms.FirstOrDefault(form => known[form] != form && known[form] != link.Target) is { } taken)
            {
                return new IdentityLinkResult(IdentityLinkStatus.Ignored, $"the device id \"{taken}\" is already linked to the user id \"{known[taken]}\"; it stays there", known[taken], []);
            }
        }

        var result = await identities.Store.LinkAsync(link, cancellationToken).ConfigureAwait(false);
        if (result.Moved.Count > 0)
        {
            identities.Forget(link.Project, result.Moved);
        }

        return result;
    }

    private EventRead Read(JsonElement record, EventContext context)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new EventRejected("", "an event must be a JSON object with \"event\" and \"properties\"");
        }

        if (!record.TryGetProperty("event", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameElement.GetString()))
        {
            throw new EventRejected("event", "event needs a non-empty string name");
        }

        var name = nameElement.GetString()!;
        if (!record.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            throw new EventRejected("properties", "properties must be a JSON object");
        }

        var distinctId = OptionalId(properties, "distinct_id");
        var project = context.Project ?? ProjectOf(properties, distinctId);
        var time = properties.TryGetProperty("time", out var timeElement) ? RecordReader.ParseTime(timeElement) ?? context.ReceivedAt : context.ReceivedAt;
        var mode = project.IdentityMode;
        var warnings = new List<RecordNotice>();

        IdentityLinkRequest Request(IdentityLinkKind kind, string target, string source) =>
            new(project.EffectiveId, mode, kind, target, source, time);

        switch (name)
        {
            case "$identify":
                {
                    var identified = OptionalId(properties, "$identified_id") ?? OptionalId(properties, "$user_id") ?? distinctId;
                    var anon = OptionalId(properties, "$anon_id") ?? OptionalId(properties, "$anon_distinct_id") ?? OptionalId(properties, "$device_id");
                    if (identified is null || anon is null)
                    {
                        throw new EventRejected("properties", "$identify needs $identified_id and $anon_id (or distinct_id and $anon_distinct_id, as mixpanel-browser sends them)", distinctId);
                    }

                    return new EventRead(Request(IdentityLinkKind.Identify, identified, anon), distinctId ?? identified, "properties.$anon_id", warnings);
                }

            case "$create_alias":
                {
                    var alias = OptionalId(properties, "alias") ?? throw new EventRejected("properties.alias", "$create_alias needs properties.alias", distinctId);
                    var target = distinctId ?? throw new EventRejected("properties.distinct_id", "$create_alias needs properties.distinct_id", distinctId);
                    return new EventRead(Request(IdentityLinkKind.Alias, target, alias), target, "properties.alias", warnings);
                }

            case "$merge" when context.Endpoint == EventEndpointKind.Import:
                {
                    if (!properties.TryGetProperty("$distinct_ids", out var ids) || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() != 2)
                    {
                        throw new EventRejected("properties.$distinct_ids", "$merge needs properties.$distinct_ids: an array of exactly two ids", distinctId);
                    }

                    var first = Id(ids[0], "properties.$distinct_ids[0]", distinctId);
                    var second = Id(ids[1], "properties.$distinct_ids[1]", distinctId);
                    return new EventRead(Request(IdentityLinkKind.Merge, first, second), first, "properties.$distinct_ids", warnings);
                }

            case "$merge":
                warnings.Add(new RecordNotice(0, "event", "$merge changes the identity map only through /import; nothing changed"));
                return new EventRead(null, distinctId, "event", warnings);
        }

        if (mode == IdentityMode.Simplified && OptionalId(properties, "$device_id") is { } device && OptionalId(properties, "$user_id") is { } user)
        {
            return new EventRead(Request(IdentityLinkKind.DeviceAndUser, user, device), distinctId ?? user, "properties.$device_id", warnings);
        }

        return new EventRead(null, distinctId, "event", warnings);
    }

    private ProjectOptions ProjectOf(JsonElement properties, string? distinctId)
    {
        if (!properties.TryGetProperty("token", out var token) || token.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(token.GetString()))
        {
            throw new EventRejected("properties.token", "properties.token is required: the project token", distinctId);
        }

        return projects.FindByToken(token.GetString()!) ?? throw new EventRejected("properties.token", "unknown project token", distinctId) { UnknownToken = true };
    }

    /// <summary>An id property when present: a string or a number (as its decimal text), non-blank, at most 255 characters.</summary>
    private static string? OptionalId(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Id(value, "properties." + name, null) : null;

    private static string Id(JsonElement value, string field, string? distinctId)
    {
        var id = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.TryGetInt64(out var integer) ? integer.ToString(CultureInfo.InvariantCulture) : value.GetRawText(),
            _ => throw new EventRejected(field, $"{field} must be a string or a number", distinctId),
        };

        if (string.IsNullOrWhiteSpace(id))
        {
            throw new EventRejected(field, $"{field} is empty", distinctId);
        }

        return id.Length > MaxIdLength
            ? throw new EventRejected(field, $"{field} is longer than {MaxIdLength} characters (ids are never truncated)", distinctId)
            : id;
    }

    /// <summary>A read event: the link it asks for (none for an ordinary event), the id to report it by, the field a refusal names.</summary>
    private sealed record EventRead(IdentityLinkRequest? Link, string? DistinctId, string Field, List<RecordNotice> Warnings);

    private sealed class EventRejected(string field, string message, string? distinctId = null) : Exception(message)
    {
        public string Field { get; } = field;

        public string? DistinctId { get; } = distinctId;

        public bool UnknownToken { get; init; }
    }
}
