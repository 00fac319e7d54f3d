namespace OpenEngage.Storage.Identity;

/// <summary>The <c>source</c> the change log and the property history give changes the identity map makes.</summary>
public static class IdentityChangeSources
{
    /// <summary>A merge of two clusters' profiles (contract §8).</summary>
    public const string Merge = "merge";

    /// <summary>A privacy deletion request (contract §11).</summary>
    public const string Privacy = "gdpr";
}
