namespace OpenEngage.Web;

/// <summary>Where a change goes: the project's token and the group key (empty for user profiles).</summary>
public readonly record struct ProfileTarget(string Token, string GroupKey);
