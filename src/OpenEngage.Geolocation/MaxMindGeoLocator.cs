using System.Net;
using System.Net.Sockets;
using MaxMind.Db;
using MaxMind.GeoIP2;
using MaxMind.GeoIP2.Responses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;

namespace OpenEngage.Geolocation;

/// <summary>
/// Looks addresses up in a MaxMind-format (.mmdb) city database: <c>$city</c> is the city's English
/// name, <c>$region</c> the first subdivision's, <c>$country_code</c> the country's ISO code and
/// <c>$timezone</c> the location's time zone. One instance serves all threads.
/// </summary>
public sealed class MaxMindGeoLocator : IGeoLocator, IDisposable
{
    private static readonly string[] Locales = ["en"];

    private readonly DatabaseReader _reader;
    private readonly ILogger _logger;
    private int _lookupFailureLogged;
    private volatile bool _disposed;

    /// <summary>Opens the database at <paramref name="databasePath"/>, memory-mapped.</summary>
    /// <exception cref="GeolocationDatabaseException">The file is missing, unreadable, not a MaxMind DB or not a city database.</exception>
    public MaxMindGeoLocator(string databasePath, ILogger? logger = null)
        : this(databasePath, FileAccessMode.MemoryMapped, logger)
    {
    }

    /// <summary>Opens the database at <paramref name="databasePath"/> with the given access mode.</summary>
    /// <exception cref="GeolocationDatabaseException">The file is missing, unreadable, not a MaxMind DB or not a city database.</exception>
    public MaxMindGeoLocator(string databasePath, FileAccessMode mode, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        _logger = logger ?? NullLogger.Instance;
        DatabasePath = databasePath;

        if (Directory.Exists(databasePath))
        {
            throw new GeolocationDatabaseException(databasePath,
                $"Geolocation database '{databasePath}' is a directory, not a .mmdb file.");
        }

        if (!File.Exists(databasePath))
        {
            throw new GeolocationDatabaseException(databasePath,
                $"Geolocation database '{databasePath}' does not exist.");
        }

        try
        {
            _reader = new DatabaseReader(databasePath, Locales, mode);
        }
        catch (Exception e) when (e is InvalidDatabaseException or IOException or UnauthorizedAccessException
                                      or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new GeolocationDatabaseException(databasePath,
                $"Geolocation database '{databasePath}' cannot be opened as a MaxMind DB (.mmdb) file: {e.Message}", e);
        }

        // DatabaseReader.City accepts only databases whose type names a city database.
        if (!_reader.Metadata.DatabaseType.Contains("City", StringComparison.Ordinal))
        {
            var type = _reader.Metadata.DatabaseType;
            _reader.Dispose();
            throw new GeolocationDatabaseException(databasePath,
                $"Geolocation database '{databasePath}' is a '{type}' database; a city database (such as GeoLite2-City or GeoIP2-City) is needed.");
        }
    }

    public bool IsEnabled => true;

    /// <summary>The path the database was opened from.</summary>
    public string DatabasePath { get; }

    /// <summary>The database's type from its metadata, e.g. <c>GeoLite2-City</c>.</summary>
    public string DatabaseType => _reader.Metadata.DatabaseType;

    /// <summary>When the database was built, from its metadata.</summary>
    public DateTimeOffset BuildDate => new(DateTime.SpecifyKind(_reader.Metadata.BuildDate, DateTimeKind.Utc));

    public GeoInfo? Locate(IPAddress address)
    {
        if (address is null || _disposed)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) || IsNonPublic(address))
        {
            return null;
        }

        CityResponse? response;
        try
        {
            if (!_reader.TryCity(address, out response))
            {
                return null;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An IPv6 address in an IPv4-only database, a damaged file, a lookup after disposal:
            // the address is simply not located.
            if (!_disposed && Interlocked.Exchange(ref _lookupFailureLogged, 1) == 0)
            {
                LogMessages.LookupFailed(_logger, e, DatabasePath);
            }

            return null;
        }

        var geo = new GeoInfo(
            City: NullIfEmpty(response?.City?.Name),
            Region: NullIfEmpty(response?.Subdivisions is { Count: > 0 } subdivisions ? subdivisions[0].Name : null),
            CountryCode: NullIfEmpty(response?.Country?.IsoCode),
            TimeZone: NullIfEmpty(response?.Location?.TimeZone));

        return geo is { City: null, Region: null, CountryCode: null, TimeZone: null } ? null : geo;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _reader.Dispose();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Addresses no database locates: loopback, private, link-local, unspecified, multicast.</summary>
    internal static bool IsNonPublic(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] switch
            {
                0 => true,                                  // 0.0.0.0/8 "this network"
                10 => true,                                 // 10.0.0.0/8
                100 => b[1] is >= 64 and <= 127,            // 100.64.0.0/10 carrier-grade NAT
                169 => b[1] == 254,                         // 169.254.0.0/16 link-local
                172 => b[1] is >= 16 and <= 31,             // 172.16.0.0/12
                192 => b[1] == 168,                         // 192.168.0.0/16
                >= 224 => true,                             // multicast, reserved, broadcast
                _ => false,
            };
        }

        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return true;
        }

        return false;
    }
}
