namespace OpenEngage.Web;

/// <summary>The cookie scheme of the web pages and the claims its ticket carries.</summary>
public static class UiClaims
{
    public const string Scheme = "OpenEngage.Web";

    /// <summary>The id of the project the session is looking at.</summary>
    public const string Project = "openengage:project";

    /// <summary>One per project the credentials may read: <c>role:projectId</c>.</summary>
    public const string Allowed = "openengage:allowed";

    public const string OwnerRole = "owner";

    public const string ReaderRole = "reader";
}
