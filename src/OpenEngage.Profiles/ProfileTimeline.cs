using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>
/// Keeps a profile the fold of its records in <c>$time</c> order (contract §10) when a record
/// arrives after newer ones: the newer records are undone, newest first, the late record is
/// applied where its time puts it, and the newer records are applied again on top.
/// </summary>
public static class ProfileTimeline
{
    /// <param name="engine">Applies the records.</param>
    /// <param name="current">The profile's state now, after every record of <paramref name="newer"/>; null when it does not exist.</param>
    /// <param name="newer">The logged records newer than <paramref name="late"/>, in the order they were applied (their time order).</param>
    /// <param name="late">The record to place before them.</param>
    public static LateFold Refold(ProfileEngine engine, JsonObject? current, IReadOnlyList<LoggedRecord> newer, ProfileUpdate late)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(late);

        var state = current;
        for (var i = newer.Count - 1; i >= 0; i--)
        {
            state = newer[i].Diff.Undo(state);
        }

        var result = engine.Apply(state, late);
        if (!result.IsApplied)
        {
            return new LateFold(result, current, []);
        }

        var log = new List<LoggedRecord>(newer.Count + 1);
        var next = After(state, result);
        log.Add(new LoggedRecord(late, result.Diff!));
        state = next;
        foreach (var record in newer)
        {
            var again = engine.Apply(state, record.Update);
            if (!again.IsApplied)
            {
                // It no longer applies where it stands (a sum out of range, a list too long): it
                // leaves the log, as a record rejected on arrival would have.
                continue;
            }

            next = After(state, again);
            log.Add(new LoggedRecord(record.Update, again.Diff!));
            state = next;
        }

        var status = (current, state) switch
        {
            (null, null) => ApplyStatus.Unchanged,
            (_, null) => ApplyStatus.Deleted,
            (null, _) => ApplyStatus.Upserted,
            _ => JsonNode.DeepEquals(current, state) ? ApplyStatus.Unchanged : ApplyStatus.Upserted,
        };
        return new LateFold(result with { Status = status, Profile = status == ApplyStatus.Upserted ? state : null }, state, log);
    }

    /// <summary>The state after an applied result.</summary>
    public static JsonObject? After(JsonObject? before, ApplyResult result) => result.Status switch
    {
        ApplyStatus.Upserted => result.Profile,
        ApplyStatus.Deleted => null,
        _ => before,
    };
}
