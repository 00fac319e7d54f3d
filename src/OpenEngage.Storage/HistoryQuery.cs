using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>Which history <see cref="IProfileHistory.ReadHistoryAsync"/> reads: one profile, optionally a time range (Unix ms, inclusive).</summary>
public sealed record HistoryQuery(ProfileKey Key)
{
    public long? FromMs { get; init; }

    public long? ToMs { get; init; }
}
