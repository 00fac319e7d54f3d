namespace OpenEngage.Storage.Identity;

/// <summary>One identity event to apply to a project's identity map.</summary>
/// <param name="Project">The project's stored id.</param>
/// <param name="Mode">The project's identity mode, which decides the rules.</param>
/// <param name="Kind">The event it comes from.</param>
/// <param name="Target">The id whose cluster the source joins (see <see cref="IdentityLinkKind"/>).</param>
/// <param name="Source">The id that joins the target's cluster.</param>
/// <param name="Time">When it happened (the event's time, else its arrival).</param>
public sealed record IdentityLinkRequest(string Project, IdentityMode Mode, IdentityLinkKind Kind, string Target, string Source, DateTimeOffset Time);
