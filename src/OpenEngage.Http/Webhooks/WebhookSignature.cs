using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenEngage.Http.Webhooks;

/// <summary>
/// The signature of a delivery: HMAC-SHA256 with the webhook's secret over
/// <c>{timestamp}.{body}</c>, where timestamp is the <c>X-OpenEngage-Timestamp</c> header (Unix
/// seconds), sent as <c>X-OpenEngage-Signature: sha256=&lt;lower-case hex&gt;</c>. Signing the timestamp
/// lets a receiver refuse old deliveries replayed.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-OpenEngage-Signature";
    public const string TimestampHeader = "X-OpenEngage-Timestamp";
    public const string DeliveryHeader = "X-OpenEngage-Delivery";
    public const string WebhookHeader = "X-OpenEngage-Webhook";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }
}
