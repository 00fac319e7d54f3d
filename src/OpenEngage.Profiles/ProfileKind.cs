namespace OpenEngage.Profiles;

/// <summary>Which kind of profile a record addresses: <c>/engage</c> (users) or <c>/groups</c>.</summary>
public enum ProfileKind
{
    User,
    Group,
}
