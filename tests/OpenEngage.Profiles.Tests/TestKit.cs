using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles.Tests;

/// <summary>Shared helpers: read records from JSON text, apply them, compare JSON values.</summary>
internal static class TestKit
{
    /// <summary>The time the server "received" every record in these tests.</summary>
    public static readonly DateTimeOffset Received = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public const string ReceivedText = "2024-05-06T07:08:09";

    public static RecordReadResult Read(string json, ProfileKind kind = ProfileKind.User, ProfileLimits? limits = null)
    {
        using var document = JsonDocument.Parse(json);
        return new RecordReader(limits ?? ProfileLimits.Default).Read(document.RootElement, kind, Received);
    }

    /// <summary>Reads a user record that must be valid.</summary>
    public static ParsedRecord Valid(string json, ProfileKind kind = ProfileKind.User, ProfileLimits? limits = null)
    {
        var result = Read(json, kind, limits);
        Assert.True(result.IsValid, $"expected a valid record, got {result.Error}");
        Assert.Null(result.Error);
        return result.Record!;
    }

    /// <summary>Reads a record that must be refused; returns why.</summary>
    public static RecordError Invalid(string json, ProfileKind kind = ProfileKind.User, ProfileLimits? limits = null)
    {
        var result = Read(json, kind, limits);
        Assert.False(result.IsValid, $"expected an invalid record: {json}");
        Assert.Null(result.Record);
        Assert.NotNull(result.Error);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        return result.Error;
    }

    /// <summary>A user record for distinct id <c>u1</c> with the given operations and modifiers (JSON members without braces).</summary>
    public static string Record(string members) => $$"""{"$token":"tok","$distinct_id":"u1",{{members}}}""";

    public static JsonObject? Profile(string? json) => json is null ? null : JsonNode.Parse(json)!.AsObject();

    /// <summary>Reads <paramref name="members"/> as a user record and applies it to <paramref name="current"/>.</summary>
    public static ApplyResult Apply(string? current, string members, ProfileLimits? limits = null) =>
        Apply(Profile(current), Valid(Record(members), limits: limits), limits);

    /// <summary>The update the ingestion pipeline makes of <paramref name="record"/> for <paramref name="project"/> (no identity map, no geolocation).</summary>
    public static ProfileUpdate ToUpdate(this ParsedRecord record, string project = "p") => new()
    {
        Key = new ProfileKey(project, record.GroupKey, record.DistinctId),
        Time = record.Time,
        TimeFromRecord = record.TimeFromRecord,
        IgnoreTime = record.IgnoreTime,
        Operations = record.Operations,
        Warnings = record.Warnings,
    };

    public static ApplyResult Apply(string? current, ParsedRecord record, ProfileLimits? limits = null) =>
        Apply(Profile(current), record.ToUpdate(), limits);

    public static ApplyResult Apply(JsonObject? current, ParsedRecord record, ProfileLimits? limits = null) =>
        Apply(current, record.ToUpdate(), limits);

    public static ApplyResult Apply(string? current, ProfileUpdate update, ProfileLimits? limits = null) =>
        Apply(Profile(current), update, limits);

    public static ApplyResult Apply(JsonObject? current, ProfileUpdate update, ProfileLimits? limits = null) =>
        new ProfileEngine(limits ?? ProfileLimits.Default).Apply(current, update);

    /// <summary>Applies and returns the new profile, which must have been created or changed.</summary>
    public static JsonObject Upsert(string? current, string members, ProfileLimits? limits = null)
    {
        var result = Apply(current, members, limits);
        Assert.Equal(ApplyStatus.Upserted, result.Status);
        Assert.True(result.IsApplied);
        Assert.Null(result.Error);
        return result.Profile!;
    }

    /// <summary>The properties the record set, without the automatic <c>$created</c> and <c>$last_seen</c>.</summary>
    public static JsonObject UserProperties(JsonObject profile)
    {
        var copy = profile.DeepClone().AsObject();
        copy.Remove(ProfileEngine.Created);
        copy.Remove(ProfileEngine.LastSeen);
        return copy;
    }

    public static void JsonEqual(string expected, JsonNode? actual)
    {
        var parsed = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(parsed, actual), $"expected {expected}\nactual   {actual?.ToJsonString() ?? "null"}");
    }

    /// <summary>Exact text comparison: tells 1 from 1.0 and 0.3 from 0.30000000000000004.</summary>
    public static void JsonText(string expected, JsonNode? actual) =>
        Assert.Equal(expected, actual?.ToJsonString() ?? "null");

    public static string Quote(string text) => JsonSerializer.Serialize(text);
}
