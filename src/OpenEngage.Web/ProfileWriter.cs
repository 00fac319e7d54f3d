using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;

namespace OpenEngage.Web;

/// <summary>
/// Changes profiles the way <c>/engage</c> and <c>/groups</c> do: each change is a Mixpanel record
/// with the project's token and <c>$ignore_time</c> (so <c>$last_seen</c> stays), validated and
/// applied by the <see cref="IngestPipeline"/>. When a call returns, the change is durable.
/// </summary>
public sealed class ProfileWriter(IngestPipeline pipeline, TimeProvider time)
{
    /// <summary>A change for every id; the ids are applied in batches of this many records.</summary>
    public const int BatchSize = 500;

    public Task<IngestResult> SetAsync(ProfileTarget project, IReadOnlyList<string> ids, string name, JsonNode? value, CancellationToken cancellationToken) =>
        ApplyAsync(project, ids, writer =>
        {
            writer.WriteStartObject("$set");
            writer.WritePropertyName(name);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }, cancellationToken);

    public Task<IngestResult> UnsetAsync(ProfileTarget project, IReadOnlyList<string> ids, string name, CancellationToken cancellationToken) =>
        ApplyAsync(project, ids, writer =>
        {
            writer.WriteStartArray("$unset");
            writer.WriteStringValue(name);
            writer.WriteEndArray();
        }, cancellationToken);

    public Task<IngestResult> DeleteAsync(ProfileTarget project, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ApplyAsync(project, ids, writer => writer.WriteString("$delete", ""), cancellationToken);

    private async Task<IngestResult> ApplyAsync(ProfileTarget project, IReadOnlyList<string> ids, Action<Utf8JsonWriter> operation, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                writer.WriteStartObject();
                writer.WriteString("$token", project.Token);
                if (project.GroupKey.Length == 0)
                {
                    writer.WriteString("$distinct_id", id);
                    // The page shows, and changes, the profile stored under exactly this id.
                    writer.WriteBoolean("$ignore_alias", true);
                }
                else
                {
                    writer.WriteString("$group_key", project.GroupKey);
                    writer.WriteString("$group_id", id);
                }

                writer.WriteBoolean("$ignore_time", true);
                operation(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var records = document.RootElement.EnumerateArray().ToList();
        var kind = project.GroupKey.Length == 0 ? ProfileKind.User : ProfileKind.Group;
        return await pipeline.IngestAsync(records, new IngestContext(kind, time.GetUtcNow(), null, "ui", "api-secret"), cancellationToken).ConfigureAwait(false);
    }
}
