namespace OpenEngage.Storage;

/// <summary>One page of profiles and the number of profiles matching in all.</summary>
public sealed record ProfilePage(IReadOnlyList<StoredProfile> Profiles, long Total);
