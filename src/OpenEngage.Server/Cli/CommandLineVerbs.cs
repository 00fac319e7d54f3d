using System.CommandLine;
using Microsoft.Extensions.Options;
using OpenEngage.Projects;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Server.Cli;

/// <summary>
/// The command line of the server executable: without a verb it serves HTTP; the verbs are
/// <c>export</c>, <c>import</c>, <c>backup</c> and <c>restore</c>. All of them take the same
/// configuration (appsettings, environment, settings on the command line: see
/// <see cref="CommandLineSettings"/>). An unknown verb or option is an error with the usage on
/// standard error and exit code 2; <c>--version</c> prints the version.
/// </summary>
public static class CommandLineVerbs
{
    public const int UsageError = 2;

    /// <summary>Runs the command line; <paramref name="output"/> gets the data, <paramref name="error"/> everything else.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, ServeCommand.RunAsync, cancellationToken);

    /// <summary>As <see cref="RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/>, with the action that serves HTTP given (its settings, standard error).</summary>
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Func<string[], TextWriter, CancellationToken, Task<int>> serve, CancellationToken cancellationToken)
    {
        var split = CommandLineSettings.Separate(args);
        var root = Commands(split.Settings, output, error, serve);
        var parsed = root.Parse(split.Rest);
        if (split.Problems.Count > 0 || parsed.Errors.Count > 0)
        {
            foreach (var problem in split.Problems.Concat(parsed.Errors.Select(e => e.Message)))
            {
                await error.WriteLineAsync(problem);
            }

            await error.WriteLineAsync();
            var verb = parsed.CommandResult.Command == root ? [] : new[] { parsed.CommandResult.Command.Name };
            await root.Parse([.. verb, "--help"]).InvokeAsync(new InvocationConfiguration { Output = error, Error = error }, cancellationToken);
            return UsageError;
        }

        // No Ctrl-C handling of the parser's own: the server stops through the host, an import
        // stops after the records it has read, other verbs end at once.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static RootCommand Commands(string[] settings, TextWriter output, TextWriter error, Func<string[], TextWriter, CancellationToken, Task<int>> serve)
    {
        var project = new Option<string?>("--project") { Description = "The project id or name (needed when several are configured)." };
        var group = new Option<string?>("--group") { Description = "Export or import group profiles of this group key instead of user profiles." };

        var format = new Option<string>("--format") { Description = "jsonl (default) or csv.", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var where = new Option<string?>("--where") { Description = "Export only the profiles this where expression matches." };
        var outputFile = new Option<FileInfo?>("--output", "-o") { Description = "The file to write (default: standard output)." };
        var export = new Command("export", "Writes a project's profiles as JSONL ({\"$distinct_id\",\"$properties\"} per line) or CSV to standard output or a file.")
        {
            project, group, format, where, outputFile,
        };
        export.SetAction((result, token) => ExportCommand.RunAsync(
            settings,
            new ExportCommand.Options(result.GetValue(project), result.GetValue(group) ?? "", result.GetValue(format)!, result.GetValue(where), result.GetValue(outputFile)),
            output,
            error,
            token));

        var inputFile = new Argument<FileInfo>("file") { Description = "JSONL or a JSON array of /engage records or of profiles ({\"$distinct_id\",\"$properties\"}), or a CSV file as export writes it." };
        var import = new Command("import", "Applies records from a file through the same validation as /engage (the embedded store must not be in use by a server).")
        {
            inputFile, project, group,
        };
        import.SetAction((result, token) => ImportCommand.RunAsync(
            settings,
            new ImportCommand.Options(result.GetValue(inputFile)!, result.GetValue(project), result.GetValue(group) ?? ""),
            output,
            error,
            token));

        var backupFile = new Argument<FileInfo>("file") { Description = "The backup file to write (replaced when it exists)." };
        var backup = new Command("backup", "Copies the embedded store (and the generated project) into one file, consistently, while a server runs. PostgreSQL: use pg_dump.")
        {
            backupFile,
        };
        backup.SetAction((result, token) => BackupCommand.RunAsync(settings, result.GetValue(backupFile)!, error, token));

        var restoreFile = new Argument<FileInfo>("file") { Description = "A file written by backup." };
        var force = new Option<bool>("--force") { Description = "Replace the store the data directory holds (it is kept beside, renamed)." };
        var restore = new Command("restore", "Puts a backup into the data directory of a stopped server. PostgreSQL: use pg_restore.")
        {
            restoreFile, force,
        };
        restore.SetAction((result, token) => RestoreCommand.RunAsync(settings, result.GetValue(restoreFile)!, result.GetValue(force), error, token));

        var root = new RootCommand(
            "OpenEngage: a Mixpanel-compatible profile server. Without a verb it serves HTTP. Settings are --Section:Key=Value "
            + "(or --Section:Key Value), e.g. --urls=http://127.0.0.1:5000 --Storage:Path=/var/lib/openengage; they apply to the verbs too.")
        {
            export, import, backup, restore,
        };
        root.SetAction((_, token) => serve(settings, error, token));
        return root;
    }

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

    /// <summary>
    /// Builds a generic host with the server's core services and configuration (appsettings beside
    /// the executable, <c>ASPNETCORE_</c> and <c>DOTNET_</c> environment variables, the settings;
    /// logging warnings only), with the configured projects or the one kept in the data directory,
    /// never a new one. Nothing listens.
    /// </summary>
    internal static CommandHost Build(string[] settings)
    {
        // The same configuration sources, in the same order, as the server's WebApplication builder.
        var configuration = new ConfigurationManager();
        configuration.AddEnvironmentVariables("ASPNETCORE_");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. settings, "--Logging:LogLevel:Default=Warning"],
            ContentRootPath = AppContext.BaseDirectory,
            Configuration = configuration,
        });
        builder.Services.AddSingleton(ExistingProjects);
        builder.AddOpenEngageCore();
        return new CommandHost(builder.Build());
    }

    /// <summary>Opens the configured store as the server would, without listening; <paramref name="exclusive"/> as the server takes it.</summary>
    internal static async Task<(CommandHost App, IProfileStore Store)> OpenAsync(string[] settings, bool exclusive, CancellationToken cancellationToken)
    {
        var app = Build(settings);
        try
        {
            // The project first: a verb without one fails before it creates anything.
            app.Services.GetRequiredService<ProjectDirectory>();
            await OpenEngageServer.OpenStoreAsync(app.Services, exclusive, cancellationToken);
            return (app, app.Services.GetRequiredService<IProfileStore>());
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static ProjectDirectory ExistingProjects(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetSection("Projects").Get<List<ProjectOptions>>() ?? [];
        if (configured.Count > 0)
        {
            return new ProjectDirectory(configured);
        }

        var directory = services.GetRequiredService<IOptions<StorageOptions>>().Value.Path;
        var kept = DefaultProject.TryLoad(directory)
            ?? throw new CommandLineException(
                $"No project is configured and the data directory {directory} holds none ({DefaultProject.FileName}). "
                + "Give the verb the server's settings (e.g. --Storage:Path=<its data directory>, --Projects:0:Name=…), or start the server once to create the default project.");
        return new ProjectDirectory([kept]);
    }
}
