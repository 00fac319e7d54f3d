namespace OpenEngage.Ingestion.Identity;

/// <summary>Which event endpoint a batch came through.</summary>
public enum EventEndpointKind
{
    /// <summary><c>/track</c>: each event names its project with <c>properties.token</c>.</summary>
    Track,

    /// <summary><c>/import</c>: the project is the authenticated one; <c>$merge</c> is accepted here only.</summary>
    Import,
}
