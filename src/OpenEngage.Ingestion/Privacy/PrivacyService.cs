using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using OpenEngage.Ingestion.Identity;
using OpenEngage.Profiles;
using OpenEngage.Storage;

namespace OpenEngage.Ingestion.Privacy;

/// <summary>
/// Carries out GDPR / CCPA requests (contract §11): a deletion removes the profiles of the ids and
/// of every id of their clusters, and the map entries, in one durable transaction of the store; a
/// retrieval collects every stored property of those profiles. Task records are kept in memory
/// (the newest <see cref="MaxTasks"/>): the work itself is done and durable before the answer.
/// </summary>
public sealed class PrivacyService(IProfileStore profiles, IdentityResolver identities, TimeProvider time)
{
    /// <summary>The most ids one request may name (Mixpanel's limit).</summary>
    public const int MaxIds = 2000;

    /// <summary>How many task records are kept; older ones are forgotten.</summary>
    public const int MaxTasks = 1000;

    private readonly ConcurrentDictionary<string, PrivacyTask> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public async Task<PrivacyTask> DeleteAsync(string project, string complianceType, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var removed = await identities.Store.DeleteIdentitiesAsync(project, ids, cancellationToken).ConfigureAwait(false);
        identities.Forget(project, removed);
        return Keep(new PrivacyTask(NewId(), PrivacyTaskKind.Deletion, project, complianceType, ids, PrivacyTask.Success, null, time.GetUtcNow()));
    }

    public async Task<PrivacyTask> RetrieveAsync(string project, string complianceType, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = StoredProperties.Json.Encoder }))
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                var cluster = await identities.Store.GetClusterAsync(project, id, cancellationToken).ConfigureAwait(false);
                IEnumerable<string> members = cluster is null ? [id] : [id, .. cluster.Members.Select(member => member.Id)];
                foreach (var member in members)
                {
                    if (!seen.Add(member) || await profiles.GetAsync(ProfileKey.User(project, member), cancellationToken).ConfigureAwait(false) is not { } profile)
                    {
                        continue;
                    }

                    writer.WriteStartObject();
                    writer.WriteString("$distinct_id", member);
                    writer.WritePropertyName("$properties");
                    profile.Properties.WriteTo(writer);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }

        var export = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        return Keep(new PrivacyTask(NewId(), PrivacyTaskKind.Retrieval, project, complianceType, ids, PrivacyTask.Success, export, time.GetUtcNow()));
    }

    /// <summary>The task <paramref name="id"/> of <paramref name="kind"/> in <paramref name="project"/>, or null.</summary>
    public PrivacyTask? Find(string project, PrivacyTaskKind kind, string id) =>
        _tasks.TryGetValue(id, out var task) && task.Project == project && task.Kind == kind ? task : null;

    private PrivacyTask Keep(PrivacyTask task)
    {
        _tasks[task.Id] = task;
        _order.Enqueue(task.Id);
        while (_order.Count > MaxTasks && _order.TryDequeue(out var oldest))
        {
            _tasks.TryRemove(oldest, out _);
        }

        return task;
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
