namespace OpenEngage.Server;

/// <summary>
/// The data directory when <c>Storage:Path</c> is not set: <c>openengage</c> in the user's local
/// application data (<c>$XDG_DATA_HOME</c> or <c>~/.local/share</c> on Linux, <c>~/Library/Application
/// Support</c> on macOS, <c>%LOCALAPPDATA%</c> on Windows). Never the working directory: under
/// <c>dotnet run</c> that is the source tree, and beside the executable it is the build output.
/// </summary>
public static class DefaultDataDirectory
{
    public const string FolderName = "openengage";

    /// <summary>The default data directory of the current user, or null when the user has none.</summary>
    public static string? Resolve() =>
        Resolve(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));

    /// <summary>The default data directory under <paramref name="localApplicationData"/>, or null when that is empty.</summary>
    public static string? Resolve(string? localApplicationData) =>
        string.IsNullOrWhiteSpace(localApplicationData) ? null : Path.Combine(Path.GetFullPath(localApplicationData), FolderName);
}
