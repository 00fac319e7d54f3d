namespace OpenEngage.Profiles;

/// <summary>Limits on stored data (contract §5). Defaults are Mixpanel's documented values.</summary>
public sealed record ProfileLimits
{
    public static readonly ProfileLimits Default = new();

    /// <summary>Longer property names are truncated to this many characters.</summary>
    public int MaxPropertyNameLength { get; init; } = 255;

    /// <summary>Longer string values are truncated to this many UTF-8 bytes, at a character boundary.</summary>
    public int MaxStringBytes { get; init; } = 255;

    /// <summary>A record that would give a profile more properties than this is invalid.</summary>
    public int MaxPropertiesPerProfile { get; init; } = 2000;

    /// <summary>A list property may not serialize to more than this many bytes.</summary>
    public int MaxListBytes { get; init; } = 256 * 1024;

    /// <summary>Objects inside a property value may nest at most this deep.</summary>
    public int MaxObjectDepth { get; init; } = 3;

    /// <summary>Objects inside a property value may have at most this many keys.</summary>
    public int MaxObjectKeys { get; init; } = 255;
}
