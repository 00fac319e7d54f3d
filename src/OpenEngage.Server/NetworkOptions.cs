namespace OpenEngage.Server;

/// <summary>Configuration section <c>Network</c>.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c> is trusted for the client IP.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}
