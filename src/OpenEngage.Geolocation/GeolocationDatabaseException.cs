namespace OpenEngage.Geolocation;

/// <summary>The configured geolocation database cannot be used; the message names its path.</summary>
public sealed class GeolocationDatabaseException : Exception
{
    public GeolocationDatabaseException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        DatabasePath = path;
    }

    /// <summary>The configured path, as given.</summary>
    public string DatabasePath { get; }
}
