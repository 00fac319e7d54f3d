using System.Net;

namespace OpenEngage.Geolocation.Tests;

public sealed class IpAddressTextTests
{
    [Theory]
    [InlineData("81.2.69.142", "81.2.69.142")]
    [InlineData("  81.2.69.142\t", "81.2.69.142")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData(" 2001:DB8:0:0:0:0:0:1 ", "2001:db8::1")]
    [InlineData("::1", "::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:81.2.69.142", "::ffff:81.2.69.142")]
    public void Accepts_ip_text(string text, string expected)
    {
        Assert.True(IpAddressText.TryParseIp(text, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.-4")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4.")]
    [InlineData("010.0.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("1.2.3.4:80")]
    [InlineData("[2001:db8::1]")]
    [InlineData("[2001:db8::1]:443")]
    [InlineData("2001:db8::1/64")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%1")]
    [InlineData("2001:db8::g")]
    [InlineData("2001:db8:::1")]
    [InlineData("1.2.3.4, 5.6.7.8")]
    [InlineData("localhost")]
    [InlineData("example.com")]
    [InlineData("1.2.3.4 5")]
    [InlineData("١.٢.٣.٤")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(IpAddressText.TryParseIp(text, out var address));
        Assert.Null(address);
    }
}
