namespace OpenEngage.Storage.Identity;

/// <summary>
/// The linking rules of contract §8, apart from any store: given a request and the current rows of
/// every cluster it touches, decides the rows to write and the profiles to merge. A store reads
/// those clusters under its lock (<see cref="CandidateIds"/>), plans, and writes the plan in the
/// same transaction, so two links never decide on the same state.
/// </summary>
public static class IdentityPlanner
{
    /// <summary>A cluster holds at most this many ids (Mixpanel's limit).</summary>
    public const int MaxClusterSize = 500;

    /// <summary>The ids whose clusters the request's decision depends on.</summary>
    public static IReadOnlyList<string> CandidateIds(IdentityLinkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [request.Target, .. SourceForms(request)];
    }

    /// <summary>
    /// Plans <paramref name="request"/> over <paramref name="rows"/>: every row of every cluster
    /// that holds one of <see cref="CandidateIds"/> (rows of other clusters are ignored).
    /// </summary>
    public static IdentityPlan Plan(IdentityLinkRequest request, IReadOnlyCollection<IdentityMember> rows)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rows);
        var state = new MapState(rows);
        return request.Mode == IdentityMode.Simplified ? PlanSimplified(request, state) : PlanOriginal(request, state);
    }

    private static IReadOnlyList<string> SourceForms(IdentityLinkRequest request) =>
        request.Kind is IdentityLinkKind.Identify or IdentityLinkKind.DeviceAndUser ? DeviceIds.Forms(request.Source) : [request.Source];

    private static string How(IdentityLinkKind kind) => kind switch
    {
        IdentityLinkKind.Identify => "$identify",
        IdentityLinkKind.Alias => "$create_alias",
        IdentityLinkKind.Merge => "$merge",
        _ => "$device_id",
    };

    private static IdentityPlan PlanSimplified(IdentityLinkRequest request, MapState state)
    {
        var user = request.Target;
        if (request.Kind is IdentityLinkKind.Alias or IdentityLinkKind.Merge)
        {
            return Ignored(user, $"{How(request.Kind)} changes nothing in simplified identity mode; ids are linked by $device_id and $user_id");
        }

        if (state.Row(user) is { } userRow && userRow.Canonical != user)
        {
            return Ignored(userRow.Canonical, $"the user id \"{user}\" belongs to the cluster of \"{userRow.Canonical}\"; two user ids are never merged");
        }

        var adds = new List<string>();
        foreach (var form in SourceForms(request))
        {
            if (form == user)
            {
                continue;
            }

            if (state.Row(form) is not { } row)
            {
                adds.Add(form);
            }
            else if (row.Canonical != user)
            {
                var why = row.How == IdentityMember.UnmergedHow
                    ? $"the device id \"{form}\" was split out of its cluster and is not linked again automatically"
                    : row.Canonical == form
                        ? $"\"{form}\" is the canonical id of its own cluster; two user ids are never merged"
                        : $"the device id \"{form}\" is already linked to the user id \"{row.Canonical}\"; it stays there";
                return Ignored(row.Canonical, why);
            }
        }

        return Join(request, state, user, adds, absorbed: []);
    }

    private static IdentityPlan PlanOriginal(IdentityLinkRequest request, MapState state)
    {
        var target = state.Row(request.Target)?.Canonical ?? request.Target;
        switch (request.Kind)
        {
            case IdentityLinkKind.DeviceAndUser:
                return new IdentityPlan(new IdentityLinkResult(IdentityLinkStatus.Unchanged, null, target, []), [], []);

            case IdentityLinkKind.Identify:
                {
                    if (!DeviceIds.IsUuidV4(request.Source))
                    {
                        return Ignored(target, $"the anon id \"{request.Source}\" is not a UUIDv4; original identity mode merges only UUIDv4 anon ids");
                    }

                    var adds = new List<string>();
                    var absorbed = new HashSet<string>(StringComparer.Ordinal);
                    var forms = SourceForms(request);
                    foreach (var form in forms)
                    {
                        if (state.Row(form) is not { } row)
                        {
                            adds.Add(form);
                        }
                        else if (row.Canonical == target)
                        {
                            continue;
                        }
                        else if (forms.Contains(row.Canonical) && row.How != IdentityMember.UnmergedHow)
                        {
                            absorbed.Add(row.Canonical);
                        }
                        else
                        {
                            return Ignored(target, row.How == IdentityMember.UnmergedHow
                                ? $"the anon id \"{form}\" was split out of its cluster and is not linked again automatically"
                                : $"the anon id \"{form}\" is already merged into the identified id \"{row.Canonical}\"");
                        }
                    }

                    return Join(request, state, target, adds, absorbed);
                }

            case IdentityLinkKind.Alias:
                {
                    var alias = request.Source;
                    if (alias == request.Target)
                    {
                        return Ignored(target, "the alias is the distinct_id itself");
                    }

                    if (state.Row(alias) is { } row)
                    {
                        return row.Canonical == target
                            ? new IdentityPlan(new IdentityLinkResult(IdentityLinkStatus.Unchanged, null, target, []), [], [])
                            : Rejected(target, $"the alias \"{alias}\" is already linked to another cluster (canonical id \"{row.Canonical}\")");
                    }

                    return Join(request, state, target, [alias], absorbed: []);
                }

            default:
                {
                    var other = state.Row(request.Source)?.Canonical;
                    if (other == target || request.Source == target)
                    {
                        return new IdentityPlan(new IdentityLinkResult(IdentityLinkStatus.Unchanged, null, target, []), [], []);
                    }

                    return other is null
                        ? Join(request, state, target, [request.Source], absorbed: [])
                        : Join(request, state, target, [], [other]);
                }
        }
    }

    /// <summary>Joins <paramref name="adds"/> (ids in no cluster) and every id of the <paramref name="absorbed"/> clusters to <paramref name="canonical"/>'s cluster.</summary>
    private static IdentityPlan Join(IdentityLinkRequest request, MapState state, string canonical, IReadOnlyList<string> adds, IReadOnlyCollection<string> absorbed)
    {
        if (adds.Count == 0 && absorbed.Count == 0)
        {
            return new IdentityPlan(new IdentityLinkResult(IdentityLinkStatus.Unchanged, null, canonical, []), [], []);
        }

        var existing = state.Members(canonical);
        var moving = absorbed.SelectMany(state.Members).ToList();
        var size = Math.Max(existing.Count, 1) + adds.Count + moving.Count;
        if (size > MaxClusterSize)
        {
            return Rejected(canonical, $"the cluster of \"{canonical}\" would hold {size} ids; a cluster holds at most {MaxClusterSize}");
        }

        var how = How(request.Kind);
        var via = request.Target;
        var rows = new List<IdentityMember>();
        if (existing.Count == 0)
        {
            rows.Add(new IdentityMember(canonical, canonical, IdentityMember.CanonicalHow, null, request.Time));
        }
        else if (existing.Count == 1 && existing[0].How == IdentityMember.UnmergedHow)
        {
            // An id split out earlier is its own cluster again once something is linked to it explicitly.
            rows.Add(existing[0] with { How = IdentityMember.CanonicalHow, Via = null });
        }

        foreach (var id in adds)
        {
            rows.Add(new IdentityMember(id, canonical, how, via, request.Time));
        }

        foreach (var member in moving)
        {
            rows.Add(member.Canonical == member.Id
                ? new IdentityMember(member.Id, canonical, how, via, request.Time)
                : member with { Canonical = canonical });
        }

        var moved = adds.Concat(moving.Select(member => member.Id)).ToList();
        return new IdentityPlan(new IdentityLinkResult(IdentityLinkStatus.Linked, null, canonical, moved), rows, moved);
    }

    private static IdentityPlan Ignored(string canonical, string message) =>
        new(new IdentityLinkResult(IdentityLinkStatus.Ignored, message, canonical, []), [], []);

    private static IdentityPlan Rejected(string canonical, string message) =>
        new(new IdentityLinkResult(IdentityLinkStatus.Rejected, message, canonical, []), [], []);

    /// <summary>The rows read for a request, by id and by cluster.</summary>
    private sealed class MapState
    {
        private readonly Dictionary<string, IdentityMember> _byId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<IdentityMember>> _byCanonical = new(StringComparer.Ordinal);

        public MapState(IEnumerable<IdentityMember> rows)
        {
            foreach (var row in rows)
            {
                _byId[row.Id] = row;
                if (!_byCanonical.TryGetValue(row.Canonical, out var members))
                {
                    _byCanonical[row.Canonical] = members = [];
                }

                members.Add(row);
            }
        }

        public IdentityMember? Row(string id) => _byId.GetValueOrDefault(id);

        public IReadOnlyList<IdentityMember> Members(string canonical) =>
            _byCanonical.TryGetValue(canonical, out var members) ? members : [];
    }
}
