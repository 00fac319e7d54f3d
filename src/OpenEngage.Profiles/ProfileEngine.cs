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

/// <summary>The outcome of <see cref="ProfileEngine.Apply"/>.</summary>
public sealed record ApplyResult(ApplyStatus Status, JsonObject? Profile, RecordError? Error, IReadOnlyList<RecordWarning> Warnings)
{
    public bool IsApplied => Status != ApplyStatus.Rejected;
}

/// <summary>
/// Applies a validated <see cref="ProfileUpdate"/> to a profile's properties (contract §3–§5).
/// Never mutates its input; a rejected update leaves the caller's state as it was.
/// </summary>
public sealed class ProfileEngine(ProfileLimits limits)
{
    public const string Created = "$created";
    public const string LastSeen = "$last_seen";

    public ProfileLimits Limits { get; } = limits;

    /// <param name="current">The stored properties, or null when the profile does not exist.</param>
    /// <param name="update">The update to apply.</param>
    public ApplyResult Apply(JsonObject? current, ProfileUpdate update)
    {
        // The record's own warnings, copied only when applying it adds one.
        var warnings = new Warnings(update.Warnings);

        if (update.Delete)
        {
            return new(current is null ? ApplyStatus.Unchanged : ApplyStatus.Deleted, null, null, warnings.List);
        }

        if (current is null && !update.CreatesProfile)
        {
            return new(ApplyStatus.Unchanged, null, null, warnings.List);
        }

        var profile = current is null ? [] : (JsonObject)current.DeepClone();

        foreach (var (name, value) in update.Set ?? [])
        {
            profile[name] = value?.DeepClone();
        }

        foreach (var (name, value) in update.SetOnce ?? [])
        {
            if (!profile.ContainsKey(name))
            {
                profile[name] = value?.DeepClone();
            }
        }

        foreach (var (name, delta) in update.Add ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                profile[name] = NumberMath.ToNode(delta);
            }
            else if (NumberMath.IsNumber(stored))
            {
                if (!NumberMath.TryAdd(stored!, delta, out var sum))
                {
                    return Rejected(new RecordError($"$add.{name}",
                        $"$add would make \"{name}\" {stored!.ToJsonString()} + {delta.ToString(System.Globalization.CultureInfo.InvariantCulture)}, beyond the range of a number (about 1.8e308); nothing changed"), warnings);
                }

                profile[name] = sum;
            }
            else
            {
                warnings.Add(Conflict("$add", name, stored, "a number"));
            }
        }

        foreach (var (name, values) in update.Union ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                var list = new JsonArray();
                AppendMissing(list, values);
                profile[name] = list;
            }
            else if (stored is JsonArray list)
            {
                AppendMissing(list, values);
            }
            else
            {
                warnings.Add(Conflict("$union", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Append ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                profile[name] = new JsonArray(value?.DeepClone());
            }
            else if (stored is JsonArray list)
            {
                list.Add(value?.DeepClone());
            }
            else
            {
                warnings.Add(Conflict("$append", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Remove ?? [])
        {
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                continue;
            }

            if (stored is JsonArray list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (JsonNode.DeepEquals(list[i], value))
                    {
                        list.RemoveAt(i);
                    }
                }
            }
            else
            {
                warnings.Add(Conflict("$remove", name, stored, "a list"));
            }
        }

        foreach (var name in update.Unset ?? [])
        {
            profile.Remove(name);
        }

        if (update.SetsProperties && update.Geo is { } geo)
        {
            foreach (var (name, value) in geo.Properties())
            {
                if (!Names(update, name))
                {
                    profile[name] = value;
                }
            }
        }

        var time = ProfileTime.Format(update.Time);
        if (current is null && !profile.ContainsKey(Created) && !Names(update, Created))
        {
            profile[Created] = time;
        }

        if (!update.IgnoreTime && !Names(update, LastSeen))
        {
            profile[LastSeen] = time;
        }

        if (profile.Count > Limits.MaxPropertiesPerProfile && profile.Count > (current?.Count ?? 0))
        {
            return Rejected(new RecordError("", $"the profile would have {profile.Count} properties; the limit is {Limits.MaxPropertiesPerProfile}"), warnings);
        }

        // The lists that $union and $append grew (where the property was, or became, a list).
        foreach (var name in ListNames(update))
        {
            if (profile[name] is JsonArray list && JsonSize.Utf8Bytes(list) > Limits.MaxListBytes)
            {
                return Rejected(new RecordError(name, $"the list property \"{name}\" would exceed {Limits.MaxListBytes} bytes"), warnings);
            }
        }

        if (current is not null && SameProperties(current, profile, update))
        {
            return new(ApplyStatus.Unchanged, null, null, warnings.List);
        }

        return new(ApplyStatus.Upserted, profile, null, warnings.List);
    }

    private static ApplyResult Rejected(RecordError error, Warnings warnings) =>
        new(ApplyStatus.Rejected, null, error, warnings.List);

    /// <summary>
    /// Whether <paramref name="profile"/>, made from a deep copy of <paramref name="current"/> by
    /// applying <paramref name="update"/>, still equals it. Only the properties the update could
    /// have written need comparing: the record's names, the geolocation and the two timestamps;
    /// every other property is an untouched copy.
    /// </summary>
    private static bool SameProperties(JsonObject current, JsonObject profile, ProfileUpdate update)
    {
        if (current.Count != profile.Count)
        {
            return false;
        }

        foreach (var name in WrittenNames(update))
        {
            var had = current.TryGetPropertyValue(name, out var before);
            var has = profile.TryGetPropertyValue(name, out var after);
            if (had != has || !JsonNode.DeepEquals(before, after))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every property name applying <paramref name="update"/> can write: the record's, the geolocation's and the two timestamps.</summary>
    internal static IEnumerable<string> WrittenNames(ProfileUpdate update)
    {
        foreach (var (name, _) in update.Set ?? []) yield return name;
        foreach (var (name, _) in update.SetOnce ?? []) yield return name;
        foreach (var (name, _) in update.Add ?? []) yield return name;
        foreach (var (name, _) in update.Union ?? []) yield return name;
        foreach (var (name, _) in update.Append ?? []) yield return name;
        foreach (var (name, _) in update.Remove ?? []) yield return name;
        foreach (var name in update.Unset ?? []) yield return name;
        foreach (var (name, _) in update.Geo?.Properties() ?? []) yield return name;
        yield return Created;
        yield return LastSeen;
    }

    private static IEnumerable<string> ListNames(ProfileUpdate update)
    {
        foreach (var (name, _) in update.Union ?? []) yield return name;
        foreach (var (name, _) in update.Append ?? []) yield return name;
    }

    /// <summary>Whether any operation of the record names <paramref name="name"/>.</summary>
    private static bool Names(ProfileUpdate update, string name) =>
        Contains(update.Set, name) || Contains(update.SetOnce, name) || Contains(update.Add, name)
        || Contains(update.Union, name) || Contains(update.Append, name) || Contains(update.Remove, name)
        || (update.Unset?.Contains(name, StringComparer.Ordinal) ?? false);

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
