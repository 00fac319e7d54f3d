using OpenEngage.Projects;

namespace OpenEngage.Ingestion.Identity;

/// <summary>Where a batch of events came from.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="ReceivedAt">When the server received it: the time of events without their own.</param>
/// <param name="Project">The authenticated project of an <c>/import</c>; null for <c>/track</c>.</param>
public readonly record struct EventContext(EventEndpointKind Endpoint, DateTimeOffset ReceivedAt, ProjectOptions? Project);
