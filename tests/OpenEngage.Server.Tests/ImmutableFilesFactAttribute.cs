using System.Diagnostics;

namespace OpenEngage.Server.Tests;

/// <summary>
/// A fact that needs <c>chattr +i</c> in the temporary directory: skipped, saying why, when the
/// attribute cannot be set there (not root, no <c>chattr</c>, or a file system without it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImmutableFilesFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unsupported = new(Probe);

    public ImmutableFilesFactAttribute()
    {
        if (Unsupported.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Runs <c>chattr</c> with the given arguments; returns its exit code and error output.</summary>
    public static (int ExitCode, string Error) Chattr(params string[] arguments)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Trim());
    }

    private static string? Probe()
    {
        var file = Path.Combine(Path.GetTempPath(), $"openengage-chattr-probe-{Guid.NewGuid():N}");
        File.WriteAllText(file, "probe");
        try
        {
            var (exitCode, error) = Chattr("+i", file);
            if (exitCode != 0)
            {
                return $"chattr +i is not possible in {Path.GetTempPath()} (needs root and a file system with the immutable attribute): {error}";
            }

            return null;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"chattr is not installed: {exception.Message}";
        }
        finally
        {
            try
            {
                Chattr("-i", file);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }

            File.Delete(file);
        }
    }
}
