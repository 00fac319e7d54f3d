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
        var warnings = new List<RecordWarning>(update.Warnings);

        if (update.Delete)
        {
            return new(current is null ? ApplyStatus.Unchanged : ApplyStatus.Deleted, null, null, warnings);
        }

        if (current is null && !update.CreatesProfile)
        {
            return new(ApplyStatus.Unchanged, null, null, warnings);
        }

        var profile = current is null ? [] : (JsonObject)current.DeepClone();
        var named = new HashSet<string>(StringComparer.Ordinal);
        var lists = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (name, value) in update.Set ?? [])
        {
            named.Add(name);
            profile[name] = value?.DeepClone();
        }

        foreach (var (name, value) in update.SetOnce ?? [])
        {
            named.Add(name);
            if (!profile.ContainsKey(name))
            {
                profile[name] = value?.DeepClone();
            }
        }

        foreach (var (name, delta) in update.Add ?? [])
        {
            named.Add(name);
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                profile[name] = NumberMath.ToNode(delta);
            }
            else if (NumberMath.IsNumber(stored))
            {
                profile[name] = NumberMath.Add(stored!, delta);
            }
            else
            {
                warnings.Add(Conflict("$add", name, stored, "a number"));
            }
        }

        foreach (var (name, values) in update.Union ?? [])
        {
            named.Add(name);
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                var list = new JsonArray();
                AppendMissing(list, values);
                profile[name] = list;
                lists.Add(name);
            }
            else if (stored is JsonArray list)
            {
                AppendMissing(list, values);
                lists.Add(name);
            }
            else
            {
                warnings.Add(Conflict("$union", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Append ?? [])
        {
            named.Add(name);
            if (!profile.TryGetPropertyValue(name, out var stored))
            {
                profile[name] = new JsonArray(value?.DeepClone());
                lists.Add(name);
            }
            else if (stored is JsonArray list)
            {
                list.Add(value?.DeepClone());
                lists.Add(name);
            }
            else
            {
                warnings.Add(Conflict("$append", name, stored, "a list"));
            }
        }

        foreach (var (name, value) in update.Remove ?? [])
        {
            named.Add(name);
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
            named.Add(name);
            profile.Remove(name);
        }

        if (update.SetsProperties && update.Geo is { } geo)
        {
            foreach (var (name, value) in geo.Properties())
            {
                if (!named.Contains(name))
                {
                    profile[name] = value;
                }
            }
        }

        var time = ProfileTime.Format(update.Time);
        if (current is null && !profile.ContainsKey(Created) && !named.Contains(Created))
        {
            profile[Created] = time;
        }

        if (!update.IgnoreTime && !named.Contains(LastSeen))
        {
            profile[LastSeen] = time;
        }

        if (profile.Count > Limits.MaxPropertiesPerProfile && profile.Count > (current?.Count ?? 0))
        {
            return Rejected(new RecordError("", $"the profile would have {profile.Count} properties; the limit is {Limits.MaxPropertiesPerProfile}"), warnings);
        }

        foreach (var name in lists)
        {
            if (profile[name] is JsonArray list && JsonSize.Utf8Bytes(list) > Limits.MaxListBytes)
            {
                return Rejected(new RecordError(name, $"the list property \"{name}\" would exceed {Limits.MaxListBytes} bytes"), warnings);
            }
        }

        if (current is not null && JsonNode.DeepEquals(current, profile))
        {
            return new(ApplyStatus.Unchanged, null, null, warnings);
        }

        return new(ApplyStatus.Upserted, profile, null, warnings);
    }

    private static ApplyResult Rejected(RecordError error, List<RecordWarning> warnings) =>
        new(ApplyStatus.Rejected, null, error, warnings);

    private static void AppendMissing(JsonArray list, JsonArray values)
    {
        foreach (var value in values)
        {
            if (!list.Any(existing => JsonNode.DeepEquals(existing, value)))
            {
                list.Add(value?.DeepClone());
            }
        }
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
