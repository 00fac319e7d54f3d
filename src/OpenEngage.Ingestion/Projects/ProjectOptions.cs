namespace OpenEngage.Projects;

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

    /// <summary>
    /// The order in which a profile's updates are applied: <c>time</c> (the default; by <c>$time</c>,
    /// contract §10, so a late record lands where its time puts it) or <c>arrival</c>.
    /// </summary>
    public string Ordering { get; set; } = "time";

    /// <summary>True when <see cref="Ordering"/> is <c>arrival</c>.</summary>
    public bool OrdersByArrival => string.Equals(Ordering, "arrival", StringComparison.OrdinalIgnoreCase);

    public string EffectiveId => string.IsNullOrEmpty(Id) ? Name : Id;
}
