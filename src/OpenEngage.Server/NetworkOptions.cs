using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OpenEngage.Server;

/// <summary>Configuration section <c>Network</c>.</summary>
public sealed class NetworkOptions : IValidatableObject
{
    public const string Section = "Network";

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c> is trusted for the client IP.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!IPAddress.TryParse(TrustedProxies[i], out _))
            {
                yield return new ValidationResult($"Network:TrustedProxies:{i} '{TrustedProxies[i]}' is not an IP address.", [nameof(TrustedProxies)]);
            }
        }
    }
}
