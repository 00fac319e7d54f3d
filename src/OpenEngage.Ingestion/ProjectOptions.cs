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

    public string EffectiveId => string.IsNullOrEmpty(Id) ? Name : Id;
}
