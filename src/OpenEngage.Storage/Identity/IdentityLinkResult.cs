namespace OpenEngage.Storage.Identity;

/// <summary>The outcome of a link request.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Message">Why, for <see cref="IdentityLinkStatus.Ignored"/> and <see cref="IdentityLinkStatus.Rejected"/>.</param>
/// <param name="Canonical">The canonical id of the cluster the request addressed (after a link: the joined cluster's).</param>
/// <param name="Moved">The ids whose canonical id changed: resolution caches forget them.</param>
public sealed record IdentityLinkResult(IdentityLinkStatus Status, string? Message, string Canonical, IReadOnlyList<string> Moved);
