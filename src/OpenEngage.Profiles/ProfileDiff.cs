using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>What one applied record did to a profile, enough to undo it.</summary>
public enum ProfileDiffKind
{
    /// <summary>Nothing changed (the record was applied without effect).</summary>
    None,

    /// <summary>The profile did not exist before.</summary>
    Create,

    /// <summary>The profile existed before and after.</summary>
    Update,

    /// <summary>The record deleted the profile.</summary>
    Delete,
}

/// <summary>
/// The difference between a profile's state before and after one record: which properties changed,
/// from what to what. The states' nodes are shared, never copied or modified.
/// </summary>
public sealed class ProfileDiff
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ProfileDiff(ProfileDiffKind kind, IReadOnlyList<PropertyChange> properties)
    {
        Kind = kind;
        Properties = properties;
    }

    /// <summary>A diff of a record that changed nothing.</summary>
    public static ProfileDiff Empty { get; } = new(ProfileDiffKind.None, []);

    public ProfileDiffKind Kind { get; }

    /// <summary>The properties that changed, in the order of the new state, then the removed ones.</summary>
    public IReadOnlyList<PropertyChange> Properties { get; }

    /// <summary>The kind's name as stored: <c>none</c>, <c>create</c>, <c>update</c>, <c>delete</c>.</summary>
    public string KindName => Kind switch
    {
        ProfileDiffKind.Create => "create",
        ProfileDiffKind.Update => "update",
        ProfileDiffKind.Delete => "delete",
        _ => "none",
    };

    /// <summary>A diff of the given kind with the given changed properties (the engine's own record of its writes).</summary>
    internal static ProfileDiff Of(ProfileDiffKind kind, IReadOnlyList<PropertyChange> properties) => new(kind, properties);

    /// <summary>Compares <paramref name="before"/> and <paramref name="after"/> (null: the profile does not exist).</summary>
    public static ProfileDiff Between(JsonObject? before, JsonObject? after)
    {
        var properties = new List<PropertyChange>();
        if (after is not null)
        {
            foreach (var (name, value) in after)
            {
                JsonNode? old = null;
                var had = before is not null && before.TryGetPropertyValue(name, out old);
                if (!had || !JsonNode.DeepEquals(old, value))
                {
                    properties.Add(new PropertyChange(name, had, old, true, value));
                }
            }
        }

        foreach (var (name, old) in before ?? [])
        {
            if (after is null || !after.ContainsKey(name))
            {
                properties.Add(new PropertyChange(name, true, old, false, null));
            }
        }

        var kind = (before, after) switch
        {
            (null, null) => ProfileDiffKind.None,
            (null, _) => ProfileDiffKind.Create,
            (_, null) => ProfileDiffKind.Delete,
            _ => properties.Count == 0 ? ProfileDiffKind.None : ProfileDiffKind.Update,
        };
        return new ProfileDiff(kind, properties);
    }

    /// <summary>The state before the record, given the state right after it (a new object; <paramref name="after"/> is not modified).</summary>
    public JsonObject? Undo(JsonObject? after)
    {
        switch (Kind)
        {
            case ProfileDiffKind.None:
                return after;
            case ProfileDiffKind.Create:
                return null;
        }

        var before = Kind == ProfileDiffKind.Delete || after is null ? [] : (JsonObject)after.DeepClone();
        foreach (var change in Properties)
        {
            if (change.Had)
            {
                before[change.Name] = change.Old?.DeepClone();
            }
            else
            {
                before.Remove(change.Name);
            }
        }

        return before;
    }

    /// <summary>The changed properties as stored: <c>{name: {"old": v, "new": v}}</c>, a missing old or new meaning absent.</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Json());

    [ThreadStatic]
    private static Utf8JsonScratch? t_scratch;

    /// <summary>What <see cref="ToJson"/> returns, as UTF-8.</summary>
    public byte[] ToUtf8Json() => (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(Properties, WriteJson);

    /// <summary>What <see cref="ToJson"/> returns, as UTF-8 in <paramref name="arena"/>.</summary>
    public ReadOnlyMemory<byte> ToUtf8Json(Utf8TextArena arena) => (t_scratch ??= new Utf8JsonScratch(WriterOptions)).Write(Properties, WriteJson, arena);

    private static void WriteJson(Utf8JsonWriter writer, IReadOnlyList<PropertyChange> properties)
    {
        writer.WriteStartObject();
        foreach (var change in properties)
        {
            writer.WriteStartObject(change.Name);
            if (change.Had)
            {
                Write(writer, "old", change.Old);
            }

            if (change.Has)
            {
                Write(writer, "new", change.New);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads back what <see cref="ToJson"/> wrote, with the kind's stored name.</summary>
    public static ProfileDiff Parse(string kind, string json)
    {
        var parsedKind = kind switch
        {
            "create" => ProfileDiffKind.Create,
            "update" => ProfileDiffKind.Update,
            "delete" => ProfileDiffKind.Delete,
            "none" => ProfileDiffKind.None,
            _ => throw new InvalidDataException($"Unknown history kind \"{kind}\"."),
        };
        var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("A history row's changes are not a JSON object.");
        var properties = new List<PropertyChange>(root.Count);
        foreach (var (name, node) in root)
        {
            var change = node as JsonObject ?? throw new InvalidDataException("A history row's change is not a JSON object.");
            var had = change.TryGetPropertyValue("old", out var old);
            var has = change.TryGetPropertyValue("new", out var value);
            properties.Add(new PropertyChange(name, had, old, has, value));
        }

        return new ProfileDiff(parsedKind, properties);
    }

    private static void Write(Utf8JsonWriter writer, string name, JsonNode? value)
    {
        writer.WritePropertyName(name);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}
