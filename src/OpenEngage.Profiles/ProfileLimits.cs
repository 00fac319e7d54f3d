using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Profiles;

/// <summary>Limits on stored data (contract §5). Defaults are Mixpanel's documented values.</summary>
public sealed record ProfileLimits
{
    /// <summary>The configuration section the server binds these limits from.</summary>
    public const string Section = "Limits";

    public static readonly ProfileLimits Default = new();

    /// <summary>Longer property names are truncated to this many characters.</summary>
    [Range(1, 65536, ErrorMessage = "Limits:MaxPropertyNameLength must be between {1} and {2}.")]
    public int MaxPropertyNameLength { get; init; } = 255;

    /// <summary>Longer string values are truncated to this many UTF-8 bytes, at a character boundary.</summary>
    [Range(4, 16 * 1024 * 1024, ErrorMessage = "Limits:MaxStringBytes must be between {1} (one character) and {2}.")]
    public int MaxStringBytes { get; init; } = 255;

    /// <summary>A record that would give a profile more properties than this is invalid.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:MaxPropertiesPerProfile must be between {1} and {2}.")]
    public int MaxPropertiesPerProfile { get; init; } = 2000;

    /// <summary>A list property may not serialize to more than this many bytes.</summary>
    [Range(2, 256 * 1024 * 1024, ErrorMessage = "Limits:MaxListBytes must be between {1} and {2}.")]
    public int MaxListBytes { get; init; } = 256 * 1024;

    /// <summary>Objects inside a property value may nest at most this deep.</summary>
    [Range(1, 32, ErrorMessage = "Limits:MaxObjectDepth must be between {1} and {2}.")]
    public int MaxObjectDepth { get; init; } = 3;

    /// <summary>Objects inside a property value may have at most this many keys.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:MaxObjectKeys must be between {1} and {2}.")]
    public int MaxObjectKeys { get; init; } = 255;
}
