using System.Net;
using OpenEngage.Profiles;

namespace OpenEngage.Geolocation.Tests;

public sealed class MaxMindGeoLocatorTests : IDisposable
{
    private readonly MaxMindGeoLocator _locator = new(TestDatabase.Path);

    public void Dispose() => _locator.Dispose();

    private GeoInfo? Locate(string ip) => _locator.Locate(IPAddress.Parse(ip));

    [Fact]
    public void Is_enabled() => Assert.True(_locator.IsEnabled);

    [Fact]
    public void Reads_the_database_metadata()
    {
        Assert.Equal("GeoIP2-City", _locator.DatabaseType);
        Assert.True(_locator.BuildDate > new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Maps_city_from_the_english_city_name() => Assert.Equal("London", Locate("81.2.69.142")?.City);

    [Fact]
    public void Maps_region_from_the_first_subdivision() => Assert.Equal("England", Locate("81.2.69.142")?.Region);

    [Fact]
    public void Maps_country_code_from_the_country_iso_code() => Assert.Equal("GB", Locate("81.2.69.142")?.CountryCode);

    [Fact]
    public void Maps_timezone_from_the_location_time_zone() => Assert.Equal("Europe/London", Locate("81.2.69.142")?.TimeZone);

    [Theory]
    [InlineData("81.2.69.0", "London", "England", "GB", "Europe/London")]
    [InlineData("81.2.69.255", "London", "England", "GB", "Europe/London")]
    [InlineData("216.160.83.56", "Milton", "Washington", "US", "America/Los_Angeles")]
    public void Locates_ipv4_addresses(string ip, string city, string region, string country, string timeZone)
    {
        Assert.Equal(new GeoInfo(city, region, country, timeZone), Locate(ip));
    }

    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void Locates_ipv6_addresses(string ip)
    {
        Assert.Equal(new GeoInfo("Zürich", "Zurich", "CH", "Europe/Zurich"), Locate(ip));
    }

    [Fact]
    public void Locates_ipv4_mapped_ipv6_addresses()
    {
        var mapped = IPAddress.Parse("::ffff:216.160.83.56");
        Assert.True(mapped.IsIPv4MappedToIPv6);
        Assert.Equal(new GeoInfo("Milton", "Washington", "US", "America/Los_Angeles"), _locator.Locate(mapped));
    }

    [Fact]
    public void Leaves_unknown_parts_null()
    {
        var geo = Locate("89.160.20.112");
        Assert.Equal(new GeoInfo(null, null, "SE", null), geo);
        Assert.Equal([new("$country_code", "SE")], geo!.Properties());
    }

    [Fact]
    public void Geo_properties_carry_the_mixpanel_names()
    {
        Assert.Equal(
            [
                new("$city", "London"),
                new("$region", "England"),
                new("$country_code", "GB"),
                new("$timezone", "Europe/London"),
            ],
            Locate("81.2.69.142")!.Properties());
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("81.2.70.1")]
    [InlineData("216.160.82.255")]
    [InlineData("2001:db9::1")]
    [InlineData("2606:4700::1111")]
    public void Unknown_address_is_null(string ip) => Assert.Null(Locate(ip));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:192.168.1.1")]
    public void Private_and_special_addresses_are_null(string ip) => Assert.Null(Locate(ip));

    [Fact]
    public void Null_address_is_null() => Assert.Null(_locator.Locate(null!));

    [Fact]
    public void Lookup_after_dispose_is_null()
    {
        var locator = new MaxMindGeoLocator(TestDatabase.Path);
        locator.Dispose();
        locator.Dispose();
        Assert.Null(locator.Locate(IPAddress.Parse("81.2.69.142")));
    }

    [Fact]
    public void Opens_in_memory_too()
    {
        using var locator = new MaxMindGeoLocator(TestDatabase.Path, MaxMind.Db.FileAccessMode.Memory);
        Assert.Equal("London", locator.Locate(IPAddress.Parse("81.2.69.142"))?.City);
    }

    [Fact]
    public void Concurrent_lookups_agree()
    {
        var ips = new[] { "81.2.69.142", "216.160.83.56", "2001:db8::1", "8.8.8.8", "::ffff:81.2.69.1" }
            .Select(IPAddress.Parse).ToArray();
        var expected = ips.Select(_locator.Locate).ToArray();

        Parallel.For(0, 20_000, i =>
        {
            var k = i % ips.Length;
            Assert.Equal(expected[k], _locator.Locate(ips[k]));
        });
    }

    [Fact]
    public void Missing_file_throws_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oe-missing-{Guid.NewGuid():N}.mmdb");
        var e = Assert.Throws<GeolocationDatabaseException>(() => new MaxMindGeoLocator(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.DatabasePath);
    }

    [Fact]
    public void Directory_throws_naming_the_path()
    {
        var path = Path.GetTempPath();
        var e = Assert.Throws<GeolocationDatabaseException>(() => new MaxMindGeoLocator(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(5000)]
    public void File_that_is_not_a_database_throws_naming_the_path(int size)
    {
        var path = Path.Combine(Path.GetTempPath(), $"oe-invalid-{Guid.NewGuid():N}.mmdb");
        File.WriteAllBytes(path, Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray());
        try
        {
            var e = Assert.Throws<GeolocationDatabaseException>(() => new MaxMindGeoLocator(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
