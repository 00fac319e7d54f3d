namespace OpenEngage.Projects;

/// <summary>
/// A service account of a project (<c>Projects:N:ServiceAccounts:M</c>): HTTP Basic
/// <c>Username:Secret</c> on the read API. The same account may be listed under several projects;
/// a request then names one with <c>project_id</c>.
/// </summary>
public sealed class ServiceAccountOptions
{
    public string Username { get; set; } = "";

    public string Secret { get; set; } = "";

    /// <summary>
    /// What the account may do in the web pages: <c>owner</c> (the default) reads and changes
    /// profiles; <c>reader</c> only reads. The query API only reads, whatever the role.
    /// </summary>
    public string Role { get; set; } = "owner";
}
