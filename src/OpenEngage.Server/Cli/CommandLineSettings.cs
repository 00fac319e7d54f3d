namespace OpenEngage.Server.Cli;

/// <summary>
/// Separates configuration settings from the rest of a command line. A setting is
/// <c>--Key=Value</c> or <c>--Key Value</c> whose key has a section (<c>Storage:Path</c>,
/// <c>Projects:0:Name</c>, <c>Logging:LogLevel:Default</c>) or is one of the host's own top-level keys
/// (<c>urls</c>, <c>environment</c>, …). Every other token is a verb, an option or an argument
/// for the command-line parser, which refuses what it does not know: so <c>--port 8080</c> is an
/// unknown option, not a setting nobody reads.
/// </summary>
internal static class CommandLineSettings
{
    /// <summary>Keys without a section that configure the host (case-insensitive, like configuration).</summary>
    public static readonly IReadOnlySet<string> TopLevelKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "http_ports", "https_ports", "AllowedHosts",
    };

    public sealed record Split(string[] Settings, string[] Rest, IReadOnlyList<string> Problems);

    public static Split Separate(IReadOnlyList<string> args)
    {
        var settings = new List<string>();
        var rest = new List<string>();
        var problems = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                rest.Add(arg);
                continue;
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? body : body[..equals];
            if (!IsSettingKey(key))
            {
                rest.Add(arg);
            }
            else if (equals >= 0)
            {
                settings.Add("--" + body);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                settings.Add($"--{key}={args[++i]}");
            }
            else
            {
                problems.Add($"The setting {arg} has no value (write --{key}=<value>).");
            }
        }

        return new Split([.. settings], [.. rest], problems);
    }

    public static bool IsSettingKey(string key)
    {
        if (TopLevelKeys.Contains(key))
        {
            return true;
        }

        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < key.Length - 1 && !key.Contains("::", StringComparison.Ordinal) && !key.EndsWith(':');
    }
}
