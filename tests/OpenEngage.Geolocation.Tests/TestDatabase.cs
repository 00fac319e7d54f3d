namespace OpenEngage.Geolocation.Tests;

internal static class TestDatabase
{
    /// <summary>The committed fixture, copied beside the test assembly.</summary>
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "test-city.mmdb");
}
