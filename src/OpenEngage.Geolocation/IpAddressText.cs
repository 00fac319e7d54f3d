using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OpenEngage.Geolocation;

/// <summary>Strict parsing of IP address text, as found in <c>$ip</c> or <c>X-Forwarded-For</c>.</summary>
public static class IpAddressText
{
    /// <summary>
    /// Parses IPv4 dotted-quad text (<c>81.2.69.142</c>) or IPv6 text (<c>2001:db8::1</c>,
    /// <c>::ffff:81.2.69.142</c>), ignoring surrounding white space. Rejects everything else,
    /// including the short and octal/hex IPv4 forms the platform parser accepts (<c>1</c>,
    /// <c>1.2.3</c>, <c>0x7f.0.0.1</c>, <c>010.0.0.1</c>), ports, brackets, prefixes and zone ids.
    /// </summary>
    public static bool TryParseIp(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.IsEmpty || span.Length > 45)
        {
            return false;
        }

        if (span.Contains(':'))
        {
            foreach (var c in span)
            {
                if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
                {
                    return false;
                }
            }

            if (!IPAddress.TryParse(span, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        if (!IsDottedQuad(span))
        {
            return false;
        }

        if (!IPAddress.TryParse(span, out var v4) || v4.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        address = v4;
        return true;
    }

    /// <summary>Four decimal parts 0-255 without leading zeros.</summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> span)
    {
        var parts = 0;
        foreach (var range in span.Split('.'))
        {
            var part = span[range];
            parts++;
            if (parts > 4 || part.IsEmpty || part.Length > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            if (int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }
}
