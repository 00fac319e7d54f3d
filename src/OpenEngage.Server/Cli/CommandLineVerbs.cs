using System.CommandLine;
using OpenEngage.Ingestion;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Server.Cli;

/// <summary>
/// The verbs of the server executable besides serving: <c>export</c> and <c>import</c>. They use the
/// same configuration (appsettings, environment, <c>--Key=Value</c> arguments) and store as the server.
/// </summary>
public static class CommandLineVerbs
{
    public static readonly string[] Verbs = ["export", "import"];

    private static readonly string[] HelpFlags = ["--help", "-h", "-?"];

    /// <summary>Whether <paramref name="args"/> name a verb (or ask for help) rather than starting the server.</summary>
    public static bool IsVerb(string[] args) =>
        args.Length > 0 && (Verbs.Contains(args[0], StringComparer.Ordinal) || HelpFlags.Contains(args[0], StringComparer.Ordinal));

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var project = new Option<string?>("--project") { Description = "The project id or name (needed when several are configured)." };
        var group = new Option<string?>("--group") { Description = "Export or import group profiles of this group key instead of user profiles." };

        var format = new Option<string>("--format") { Description = "jsonl (default) or csv.", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var where = new Option<string?>("--where") { Description = "Export only the profiles this where expression matches." };
        var outputFile = new Option<FileInfo?>("--output", "-o") { Description = "The file to write (default: standard output)." };
        var export = new Command("export", "Writes a project's profiles as JSONL ({\"$distinct_id\",\"$properties\"} per line) or CSV.")
        {
            project, group, format, where, outputFile,
        };
        export.TreatUnmatchedTokensAsErrors = false;
        export.SetAction((result, token) => ExportCommand.RunAsync(
            Settings(result),
            new ExportCommand.Options(result.GetValue(project), result.GetValue(group) ?? "", result.GetValue(format)!, result.GetValue(where), result.GetValue(outputFile)),
            output,
            error,
            token));

        var inputFile = new Argument<FileInfo>("file") { Description = "JSONL or a JSON array of /engage records, or of a Mixpanel profile export ({\"$distinct_id\",\"$properties\"})." };
        var import = new Command("import", "Applies /engage records from a file through the same validation and store as HTTP.")
        {
            inputFile, project, group,
        };
        import.TreatUnmatchedTokensAsErrors = false;
        import.SetAction((result, token) => ImportCommand.RunAsync(
            Settings(result),
            new ImportCommand.Options(result.GetValue(inputFile)!, result.GetValue(project), result.GetValue(group) ?? ""),
            output,
            error,
            token));

        var root = new RootCommand("OpenEngage: a Mixpanel-compatible profile server. Without a verb it serves HTTP; settings are --Key=Value (e.g. --urls=http://127.0.0.1:5000 --Storage:Path=./data).") { export, import };
        var parsed = root.Parse(args);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>The tokens no option claimed: configuration settings such as <c>--Storage:Path=./data</c>.</summary>
    private static string[] Settings(ParseResult result) => [.. result.UnmatchedTokens];

    /// <summary>Picks the project by id or name, or the only one.</summary>
    internal static ProjectOptions ChooseProject(ProjectDirectory projects, string? wanted)
    {
        if (wanted is null)
        {
            return projects.Projects.Count == 1
                ? projects.Projects[0]
                : throw new CommandLineException($"Several projects are configured; choose one with --project ({string.Join(", ", projects.Projects.Select(p => p.EffectiveId))}).");
        }

        return projects.Projects.FirstOrDefault(p => p.EffectiveId == wanted)
            ?? projects.Projects.FirstOrDefault(p => p.Name == wanted)
            ?? throw new CommandLineException($"No project '{wanted}' is configured.");
    }

    internal static WhereExpression? ParseWhere(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return WhereExpression.TryParse(text, out var where, out var error)
            ? where
            : throw new CommandLineException("--where: " + error!.Message);
    }

    /// <summary>Opens the configured store as the server would, without listening.</summary>
    internal static async Task<(WebApplication App, IProfileStore Store)> OpenAsync(string[] settings, CancellationToken cancellationToken)
    {
        var app = OpenEngageServer.Build([.. settings, "--Logging:LogLevel:Default=Warning"]);
        var store = app.Services.GetRequiredService<IProfileStore>();
        await store.InitializeAsync(cancellationToken);
        return (app, store);
    }
}

/// <summary>A failure to report in one line, with exit code 1.</summary>
public sealed class CommandLineException(string message) : Exception(message);
