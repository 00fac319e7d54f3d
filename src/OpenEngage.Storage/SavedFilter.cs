namespace OpenEngage.Storage;

/// <summary>
/// A named <c>where</c> filter of one project and profile kind (a Mixpanel "cohort"):
/// <see cref="GroupKey"/> is empty for user profiles.
/// </summary>
public sealed record SavedFilter(long Id, string Project, string GroupKey, string Name, string Where, DateTimeOffset CreatedAt);
