using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>One logged record of a profile: when, from where, and what it changed.</summary>
/// <param name="Time">The record's <c>$time</c>, Unix ms.</param>
/// <param name="Received">When it arrived, Unix ms.</param>
/// <param name="Source">Where it came from (<c>engage</c>, <c>ui</c>, ...).</param>
/// <param name="Credential">The credential's name.</param>
/// <param name="Diff">What it changed.</param>
public sealed record HistoryRecord(long Time, long Received, string Source, string Credential, ProfileDiff Diff);
