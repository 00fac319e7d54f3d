using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace OpenEngage.Server;

/// <summary>The client IP from <c>X-Forwarded-For</c>, trusted only from <see cref="NetworkOptions.TrustedProxies"/>.</summary>
public sealed class ForwardedHeadersSetup(IOptions<NetworkOptions> network) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in network.Value.TrustedProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }
    }
}
