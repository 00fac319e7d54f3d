namespace OpenEngage.Profiles;

/// <summary>Geolocation of an IP address; any part may be unknown.</summary>
public sealed record GeoInfo(string? City, string? Region, string? CountryCode, string? TimeZone)
{
    public IEnumerable<KeyValuePair<string, string>> Properties()
    {
        if (City is not null) yield return new("$city", City);
        if (Region is not null) yield return new("$region", Region);
        if (CountryCode is not null) yield return new("$country_code", CountryCode);
        if (TimeZone is not null) yield return new("$timezone", TimeZone);
    }
}
