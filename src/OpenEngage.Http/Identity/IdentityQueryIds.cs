using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Ingestion.Identity;

namespace OpenEngage.Http.Identity;

/// <summary>The Query API's <c>distinct_id</c> / <c>distinct_ids</c> accept any id of a cluster and answer its canonical profile (contract §8).</summary>
public static class IdentityQueryIds
{
    /// <summary>The canonical id of each user id asked for, without repeats, in the order asked; group ids and null pass through.</summary>
    public static async Task<IReadOnlyList<string>?> ResolveAsync(IServiceProvider services, string project, string groupKey, IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (ids is null || ids.Count == 0 || groupKey.Length > 0 || services.GetService<IdentityResolver>() is not { } resolver)
        {
            return ids;
        }

        var canonical = await resolver.ResolveAsync(project, ids, cancellationToken).ConfigureAwait(false);
        return [.. ids.Select(id => canonical[id]).Distinct(StringComparer.Ordinal)];
    }
}
