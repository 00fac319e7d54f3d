using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>What applying one update did to a profile.</summary>
public enum ApplyStatus
{
    /// <summary>The stored state is unchanged (nothing to write).</summary>
    Unchanged,

    /// <summary>The profile was created or changed; <see cref="ApplyResult.Profile"/> holds the new state.</summary>
    Upserted,

    /// <summary>The profile was deleted.</summary>
    Deleted,

    /// <summary>The record is invalid against the stored state; nothing changed.</summary>
    Rejected,
}

/// <summary>
/// The outcome of <see cref="ProfileEngine.Apply"/> or <see cref="ProfileEngine.ApplyInPlace"/>.
/// <see cref="Profile"/> is the state after the update; when a store applied several updates to
/// one profile together, it is the state after all of them, and <see cref="Diff"/> is what this
/// update changed.
/// </summary>
public sealed record ApplyResult(ApplyStatus Status, JsonObject? Profile, RecordError? Error, IReadOnlyList<RecordWarning> Warnings)
{
    public bool IsApplied => Status != ApplyStatus.Rejected;

    /// <summary>What the update changed; null when it was rejected (or the result was not made by <see cref="ProfileEngine"/>).</summary>
    public ProfileDiff? Diff { get; init; }
}

/// <summary>
/// Applies a validated <see cref="ProfileUpdate"/> to a profile's properties (contract §3–§5):
/// <see cref="Apply"/> to a copy, <see cref="ApplyInPlace"/> to a profile the caller owns. Either
/// way a rejected update leaves the caller's state as it was.
/// </summary>
public sealed class ProfileEngine(ProfileLimits limits)
{
    public const string Created = "$created";
    public const string LastSeen = "$last_seen";

    public ProfileLimits Limits { get; } = limits;

    /// <param name="current">The stored properties, or null when the profile does not exist; not modified.</param>
    /// <param name="update">The update to apply.</param>
    public ApplyResult Apply(JsonObject? current, ProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var result = ApplyInPlace(current is null || update.Operations.Delete ? current : (JsonObject)current.DeepClone(), update);
        return result.Status == ApplyStatus.Unchanged ? result with { Profile = null } : result;
    }

    /// <summary>
    /// Applies an update to a profile the caller owns, changing it in place: the cost follows the
    /// record, not the profile. Every write replaces a property's node (a list is copied before it
    /// grows or shrinks), so the nodes of <see cref="ApplyResult.Diff"/> stay as they were; a
    /// rejected update is undone, leaving the profile as it was.
    /// </summary>
    /// <param name="profile">The profile's properties, or null when it does not exist.</param>
    /// <param name="update">The update to apply.</param>
    /// <returns>
    /// The result: <see cref="ApplyResult.Profile"/> is the profile after the update (the same
    /// object, a new one when the update created it, null when deleted or missing), and
    /// <see cref="ApplyResult.Diff"/> what the update changed.
    /// </returns>
    public ApplyResult ApplyInPlace(JsonObject? profile, ProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);

        // The record's own warnings, copied only when applying it adds one.
        var warnings = new Warnings(update.Warnings);

        if (update.Operations.Delete)
        {
            return profile is null
                ? new(ApplyStatus.Unchanged, null, null, warnings.List) { Diff = ProfileDiff.Empty }
                : new(ApplyStatus.Deleted, null, null, warnings.List) { Diff = ProfileDiff.Between(profile, null) };
        }

        if (profile is null && !update.Operations.CreatesProfile)
        {
            return new(ApplyStatus.Unchanged, null, null, warnings.List) { Diff = ProfileDiff.Empty };
        }

        var created = profile is null;
        profile ??= [];
        var countBefore = profile.Count;
        var writes = new PropertyWrites();

        foreach (var (name, value) in update.Operations.Set ?? [])
        {
            writes.Set(profile, name, value?.DeepClone());
        }

        foreach (var (name, value) in update.Operations.SetOnce ?? [])
        {
            if (!profile.ContainsKey(name))
            {
                writes.Set(profile, name, value?.DeepClone());
            }
        }

        foreach (var (name, delta) in update.Operations.Add ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                writes.Set(profile, name, NumberMath.ToNode(delta));
            }
            else if (NumberMath.IsNumber(stored))
            {
                if (!NumberMath.TryAdd(stored!, delta, out var sum))
                {
                    writes.Undo(profile);
                    return Rejected(new RecordError($"$add.{name}",
                        $"$add would make \"{name}\" {stored!.ToJsonString()} + {delta.ToString(System.Globalization.CultureInfo.InvariantCulture)}, beyond the range of a number (about 1.8e308); nothing changed"), warnings);
                }

                writes.Set(profile, name, sum);
            }
            else
            {
                warnings.Add(Conflict("$add", name, stored, "a number"));
            }
        }

        foreach (var (name, values) in update.Operations.Union ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                var list = new JsonArray();
                AppendMissing(list, values);
                writes.Set(profile, name, list);
            }
            else if (stored is JsonArray list)
            {
                var grown = (JsonArray)list.DeepClone();
                AppendMissing(grown, values);
                writes.Set(profile, name, grown);
            }
            else
            {
                warnings.Add(Conflict("$union", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Operations.Append ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                writes.Set(profile, name, new JsonArray(value?.DeepClone()));
            }
            else if (stored is JsonArray list)
            {
                var grown = (JsonArray)list.DeepClone();
                grown.Add(value?.DeepClone());
                writes.Set(profile, name, grown);
            }
            else
            {
                warnings.Add(Conflict("$append", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Operations.Remove ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                continue;
            }

            if (stored is JsonArray list)
            {
                if (list.Any(element => JsonNode.DeepEquals(element, value)))
                {
                    var shrunk = new JsonArray();
                    foreach (var element in list)
                    {
                        if (!JsonNode.DeepEquals(element, value))
                        {
                            shrunk.Add(element?.DeepClone());
                        }
                    }

                    writes.Set(profile, name, shrunk);
                }
            }
            else
            {
                warnings.Add(Conflict("$remove", name, stored, "a list"));
            }
        }

        foreach (var name in update.Operations.Unset ?? [])
        {
            writes.Remove(profile, name);
        }

        if (update.Operations.SetsProperties && update.Geo is { } geo)
        {
            foreach (var (name, value) in geo.Properties())
            {
                if (!Names(update, name))
                {
                    writes.Set(profile, name, value);
                }
            }
        }

        var time = ProfileTime.Format(update.Time);
        if (created && !profile.ContainsKey(Created) && !Names(update, Created))
        {
            writes.Set(profile, Created, time);
        }

        if (!update.IgnoreTime && !Names(update, LastSeen))
        {
            writes.Set(profile, LastSeen, time);
        }

        if (profile.Count > Limits.MaxPropertiesPerProfile && profile.Count > countBefore)
        {
            var count = profile.Count;
            writes.Undo(profile);
            return Rejected(new RecordError("", $"the profile would have {count} properties; the limit is {Limits.MaxPropertiesPerProfile}"), warnings);
        }

        // The lists that $union and $append grew (where the property was, or became, a list).
        foreach (var name in ListNames(update))
        {
            if (profile[name] is JsonArray list && JsonSize.Utf8Bytes(list) > Limits.MaxListBytes)
            {
                writes.Undo(profile);
                return Rejected(new RecordError(name, $"the list property \"{name}\" would exceed {Limits.MaxListBytes} bytes"), warnings);
            }
        }

        if (created)
        {
            return new(ApplyStatus.Upserted, profile, null, warnings.List) { Diff = ProfileDiff.Between(null, profile) };
        }

        var changes = writes.Changes(profile);
        return changes.Count == 0
            ? new(ApplyStatus.Unchanged, profile, null, warnings.List) { Diff = ProfileDiff.Empty }
            : new(ApplyStatus.Upserted, profile, null, warnings.List) { Diff = ProfileDiff.Of(ProfileDiffKind.Update, changes) };
    }

    private static ApplyResult Rejected(RecordError error, Warnings warnings) =>
        new(ApplyStatus.Rejected, null, error, warnings.List);

    /// <summary>Every property name applying <paramref name="update"/> can write: the record's, the geolocation's and the two timestamps.</summary>
    internal static IEnumerable<string> WrittenNames(ProfileUpdate update)
    {
        foreach (var (name, _) in update.Operations.Set ?? []) yield return name;
        foreach (var (name, _) in update.Operations.SetOnce ?? []) yield return name;
        foreach (var (name, _) in update.Operations.Add ?? []) yield return name;
        foreach (var (name, _) in update.Operations.Union ?? []) yield return name;
        foreach (var (name, _) in update.Operations.Append ?? []) yield return name;
        foreach (var (name, _) in update.Operations.Remove ?? []) yield return name;
        foreach (var name in update.Operations.Unset ?? []) yield return name;
        foreach (var (name, _) in update.Geo?.Properties() ?? []) yield return name;
        yield return Created;
        yield return LastSeen;
    }

    private static IEnumerable<string> ListNames(ProfileUpdate update)
    {
        foreach (var (name, _) in update.Operations.Union ?? []) yield return name;
        foreach (var (name, _) in update.Operations.Append ?? []) yield return name;
    }

    /// <summary>Whether any operation of the record names <paramref name="name"/>.</summary>
    private static bool Names(ProfileUpdate update, string name) =>
        Contains(update.Operations.Set, name) || Contains(update.Operations.SetOnce, name) || Contains(update.Operations.Add, name)
        || Contains(update.Operations.Union, name) || Contains(update.Operations.Append, name) || Contains(update.Operations.Remove, name)
        || (update.Operations.Unset?.Contains(name, StringComparer.Ordinal) ?? false);

    private static bool Contains<T>(IReadOnlyList<KeyValuePair<string, T>>? operation, string name)
    {
        if (operation is null)
        {
            return false;
        }

        for (var i = 0; i < operation.Count; i++)
        {
            if (string.Equals(operation[i].Key, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Appends each value not already in <paramref name="list"/> (by <see cref="JsonNode.DeepEquals"/>).
    /// Past a few elements, strings — the usual list values — are looked up in a hashed set; a
    /// string equals only a string with the same text, so the answer is the same.
    /// </summary>
    private static void AppendMissing(JsonArray list, JsonArray values)
    {
        const int LinearScanUpTo = 8;
        HashSet<string>? strings = null;
        foreach (var value in values)
        {
            if (strings is null && list.Count > LinearScanUpTo)
            {
                strings = new HashSet<string>(StringComparer.Ordinal);
                foreach (var existing in list)
                {
                    if (AsString(existing) is { } text)
                    {
                        strings.Add(text);
                    }
                }
            }

            bool present;
            if (strings is not null && AsString(value) is { } candidate)
            {
                present = strings.Contains(candidate);
            }
            else
            {
                present = false;
                foreach (var existing in list)
                {
                    if (JsonNode.DeepEquals(existing, value))
                    {
                        present = true;
                        break;
                    }
                }
            }

            if (!present)
            {
                list.Add(value?.DeepClone());
                if (strings is not null && AsString(value) is { } added)
                {
                    strings.Add(added);
                }
            }
        }
    }

    /// <summary>The text of a JSON string value; null for every other value.</summary>
    private static string? AsString(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        // A value held as another .NET type (a date, say) that serialises to a string is read back as its text.
        return value.TryGetValue<string>(out var text) ? text : System.Text.Json.JsonSerializer.Deserialize<string>(value.ToJsonString());
    }

    /// <summary>The warnings of one result: the record's own, copied into a new list only when one is added.</summary>
    private struct Warnings(IReadOnlyList<RecordWarning> recordWarnings)
    {
        private List<RecordWarning>? _copy;

        public readonly IReadOnlyList<RecordWarning> List => _copy ?? recordWarnings;

        public void Add(RecordWarning warning) => (_copy ??= [.. recordWarnings]).Add(warning);
    }

    private static RecordWarning Conflict(string operation, string name, JsonNode? stored, string needed) =>
        new($"{operation}.{name}", $"{operation} needs {needed} but \"{name}\" holds {Describe(stored)}; left unchanged");

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        _ => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "a string",
            System.Text.Json.JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
    };
}
