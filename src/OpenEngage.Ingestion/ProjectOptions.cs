namespace OpenEngage.Ingestion;

/// <summary>One project, from the configuration section <c>Projects</c> (a list).</summary>
public sealed class ProjectOptions
{
    /// <summary>The stable id its data is stored under; defaults to <see cref="Name"/>.</summary>
    public string? Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The public token SDKs send as <c>$token</c>.</summary>
    public string Token { get; set; } = "";

    /// <summary>The secret for the read API (HTTP Basic user name, empty password).</summary>
    public string ApiSecret { get; set; } = "";

    /// <summary>Service accounts that may read this project besides <see cref="ApiSecret"/>.</summary>
    public List<ServiceAccountOptions> ServiceAccounts { get; set; } = [];

    /// <summary>How the project links the ids of one person (contract §8): <c>simplified</c> (the default) or <c>original</c>.</summary>
    public Storage.Identity.IdentityMode IdentityMode { get; set; } = Storage.Identity.IdentityMode.Simplified;

    public string EffectiveId => string.IsNullOrEmpty(Id) ? Name : Id;
}
