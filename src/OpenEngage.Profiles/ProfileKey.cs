namespace OpenEngage.Profiles;

/// <summary>
/// Identifies one stored profile. <see cref="GroupKey"/> is empty for user profiles and holds the
/// group key (e.g. <c>company_id</c>) for group profiles, whose <see cref="Id"/> is the group id.
/// </summary>
public readonly record struct ProfileKey(string Project, string GroupKey, string Id)
{
    public static ProfileKey User(string project, string distinctId) => new(project, "", distinctId);

    public bool IsGroup => GroupKey.Length > 0;
}
