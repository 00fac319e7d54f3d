namespace OpenEngage.Storage.Identity;

/// <summary>The identity event a link request comes from.</summary>
public enum IdentityLinkKind
{
    /// <summary><c>$identify</c>: the target is the identified (user) id, the source the anon (device) id.</summary>
    Identify,

    /// <summary><c>$create_alias</c>: the target is <c>distinct_id</c>, the source the alias.</summary>
    Alias,

    /// <summary><c>$merge</c> (<c>/import</c> only): the target is the first id of <c>$distinct_ids</c>, the source the second.</summary>
    Merge,

    /// <summary>Any other event carrying <c>$device_id</c> and <c>$user_id</c> (simplified mode): the target is the user id, the source the device id.</summary>
    DeviceAndUser,
}
