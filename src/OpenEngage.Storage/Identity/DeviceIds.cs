namespace OpenEngage.Storage.Identity;

/// <summary>The two spellings of a device (anonymous) id: bare, and with the <c>$device:</c> prefix mixpanel-browser puts on its distinct id.</summary>
public static class DeviceIds
{
    public const string Prefix = "$device:";

    /// <summary>The id without its <c>$device:</c> prefix.</summary>
    public static string Strip(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.StartsWith(Prefix, StringComparison.Ordinal) ? id[Prefix.Length..] : id;
    }

    /// <summary>Both spellings, prefixed first; one when the bare id is empty.</summary>
    public static IReadOnlyList<string> Forms(string id)
    {
        var bare = Strip(id);
        return bare.Length == 0 ? [id] : [Prefix + bare, bare];
    }

    /// <summary>Whether <paramref name="id"/> (prefix stripped) is a version-4 UUID, as original mode requires of an anon id.</summary>
    public static bool IsUuidV4(string id) =>
        Guid.TryParse(Strip(id), out var guid) && guid.Version == 4;
}
