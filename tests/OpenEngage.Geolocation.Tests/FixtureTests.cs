using System.Net;
using MaxMind.GeoIP2;

namespace OpenEngage.Geolocation.Tests;

/// <summary>The committed fixture has the layout of a real city database.</summary>
public sealed class FixtureTests
{
    [Fact]
    public void Fixture_is_a_28_bit_ipv6_city_database()
    {
        using var reader = new DatabaseReader(TestDatabase.Path);
        Assert.Equal("GeoIP2-City", reader.Metadata.DatabaseType);
        Assert.Equal(6, reader.Metadata.IPVersion);
        Assert.Equal(["en"], reader.Metadata.Languages);
    }

    [Fact]
    public void Fixture_maps_ipv4_mapped_ipv6_onto_ipv4()
    {
        using var reader = new DatabaseReader(TestDatabase.Path);
        Assert.True(reader.TryCity(IPAddress.Parse("::ffff:81.2.69.142"), out var response));
        Assert.Equal("London", response!.City.Name);
    }
}
