namespace OpenEngage.Storage.Identity;

/// <summary>How a project links the ids of one person (contract §8).</summary>
public enum IdentityMode
{
    /// <summary>Mixpanel's default since April 2024: the canonical id is the <c>$user_id</c>; devices link to it.</summary>
    Simplified,

    /// <summary>The older model: <c>$identify</c> of UUIDv4 anon ids, <c>$create_alias</c>, <c>$merge</c>.</summary>
    Original,
}
