namespace OpenEngage.Storage.Identity;

/// <summary>Decisions over rows of the identity map that every store shares (reading clusters, unmerging, deleting).</summary>
public static class IdentityClusters
{
    /// <summary>The cluster of rows that all share one canonical id.</summary>
    public static IdentityCluster From(IReadOnlyList<IdentityMember> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("A cluster has at least one id.", nameof(rows));
        }

        var canonical = rows[0].Canonical;
        var members = rows.Where(row => row.Canonical == canonical)
            .OrderBy(row => row.Id == canonical ? 0 : 1)
            .ThenBy(row => row.LinkedAt)
            .ThenBy(row => row.Id, StringComparer.Ordinal)
            .ToList();
        return new IdentityCluster(canonical, members);
    }

    /// <summary>
    /// Plans splitting <paramref name="id"/> out of its cluster, given every row of that cluster.
    /// The canonical id of a cluster with other members cannot be split out; a cluster left with
    /// only its canonical id is removed from the map.
    /// </summary>
    public static IdentityUnmergeStep Unmerge(IReadOnlyList<IdentityMember> rows, string id, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var row = rows.FirstOrDefault(member => member.Id == id);
        if (row is null || row.How == IdentityMember.UnmergedHow)
        {
            return new IdentityUnmergeStep(IdentityUnmergeStatus.NotLinked, null, null);
        }

        var cluster = rows.Where(member => member.Canonical == row.Canonical).ToList();
        if (row.Canonical == id)
        {
            return cluster.Count > 1
                ? new IdentityUnmergeStep(IdentityUnmergeStatus.IsCanonical, null, null)
                : new IdentityUnmergeStep(IdentityUnmergeStatus.NotLinked, null, null);
        }

        var split = new IdentityMember(id, id, IdentityMember.UnmergedHow, row.Canonical, time);
        var alone = cluster.Count == 2 ? row.Canonical : null;
        return new IdentityUnmergeStep(IdentityUnmergeStatus.Unmerged, split, alone);
    }

    /// <summary><paramref name="ids"/> and every id of the clusters in <paramref name="rows"/>, without repeats, in ordinal order.</summary>
    public static IReadOnlyList<string> WithClusters(IEnumerable<string> ids, IEnumerable<IdentityMember> rows)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(rows);
        var all = new SortedSet<string>(ids, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            all.Add(row.Id);
            all.Add(row.Canonical);
        }

        return [.. all];
    }
}
