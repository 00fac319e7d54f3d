using System.Text.Json;

namespace OpenEngage.Storage;

/// <summary>
/// Failures that the data of a profile causes in the server's own code, whatever the backend:
/// a profile that cannot be serialised or a stored profile that cannot be parsed.
/// </summary>
public static class ProfileDataFailure
{
    /// <summary>
    /// True for the exceptions serialising or parsing one profile throws (an invalid JSON value, a
    /// number out of range, malformed stored JSON); false for everything else.
    /// </summary>
    public static bool Is(Exception exception) =>
        exception is ArgumentException or FormatException or OverflowException or InvalidDataException or JsonException;
}
