using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>The outcome of <see cref="ProfileTimeline.Refold"/>.</summary>
/// <param name="Result">The late record's result against the stored state: its status compares the state before and after the re-fold.</param>
/// <param name="Profile">The profile after the re-fold; null when it does not exist.</param>
/// <param name="Log">The late record and the newer records as applied again, in time order; empty when the late record was rejected.</param>
public sealed record LateFold(ApplyResult Result, JsonObject? Profile, IReadOnlyList<LoggedRecord> Log);
