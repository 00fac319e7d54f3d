namespace OpenEngage.Storage.Identity;

/// <summary>What a link request did.</summary>
public enum IdentityLinkStatus
{
    /// <summary>The map changed (and any profiles were merged), durably.</summary>
    Linked,

    /// <summary>The ids were already linked this way: nothing to do.</summary>
    Unchanged,

    /// <summary>A valid event the rules of the mode do not link; nothing changed (a warning).</summary>
    Ignored,

    /// <summary>An invalid link (an alias already elsewhere, a cluster past its limit); nothing changed (an error).</summary>
    Rejected,
}
