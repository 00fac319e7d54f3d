using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Geolocation.Tests;

public sealed class GeoLocatorFactoryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_path_disables_geolocation_and_says_so(string? path)
    {
        var logger = new CapturingLogger();
        var locator = GeoLocatorFactory.Create(path, logger);

        Assert.IsType<DisabledGeoLocator>(locator);
        Assert.False(locator.IsEnabled);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("Geolocation is off", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Geolocation:Database", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_locator_locates_nothing()
    {
        var locator = new DisabledGeoLocator();
        Assert.False(locator.IsEnabled);
        Assert.Null(locator.Locate(IPAddress.Parse("81.2.69.142")));
        Assert.Null(locator.Locate(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void Valid_path_loads_the_database_and_logs_its_type_and_build_date()
    {
        var logger = new CapturingLogger();
        var locator = GeoLocatorFactory.Create(TestDatabase.Path, logger);
        try
        {
            var maxMind = Assert.IsType<MaxMindGeoLocator>(locator);
            Assert.True(locator.IsEnabled);
            Assert.Equal("London", locator.Locate(IPAddress.Parse("81.2.69.142"))?.City);

            var entry = Assert.Single(logger.Entries);
            Assert.Equal(LogLevel.Information, entry.Level);
            Assert.Contains(TestDatabase.Path, entry.Message, StringComparison.Ordinal);
            Assert.Contains("GeoIP2-City", entry.Message, StringComparison.Ordinal);
            Assert.Contains(maxMind.BuildDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), entry.Message, StringComparison.Ordinal);
        }
        finally
        {
            (locator as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Options_section_is_named_geolocation()
    {
        Assert.Equal("Geolocation", GeolocationOptions.Section);
        Assert.IsType<DisabledGeoLocator>(GeoLocatorFactory.Create(new GeolocationOptions(), new CapturingLogger()));
        using var locator = (MaxMindGeoLocator)GeoLocatorFactory.Create(new GeolocationOptions { Database = TestDatabase.Path }, new CapturingLogger());
        Assert.True(locator.IsEnabled);
    }

    [Fact]
    public void Missing_file_throws_a_clear_exception_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "oe-no-such-dir", "GeoLite2-City.mmdb");
        var e = Assert.Throws<GeolocationDatabaseException>(() => GeoLocatorFactory.Create(path, new CapturingLogger()));
        Assert.Equal($"Geolocation database '{path}' does not exist.", e.Message);
    }

    [Fact]
    public void Invalid_file_throws_a_clear_exception_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oe-not-a-db-{Guid.NewGuid():N}.mmdb");
        File.WriteAllText(path, "this is not a MaxMind database");
        try
        {
            var e = Assert.Throws<GeolocationDatabaseException>(() => GeoLocatorFactory.Create(path, new CapturingLogger()));
            Assert.StartsWith($"Geolocation database '{path}' cannot be opened", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
