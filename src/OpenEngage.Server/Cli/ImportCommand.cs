using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;
using OpenEngage.Projects;

namespace OpenEngage.Server.Cli;

/// <summary>
/// <c>import</c>: applies records from a file through the ingestion pipeline (the same validation
/// and store as HTTP), in batches. A bad record or line is reported by its line number and the
/// import goes on; the summary comes at the end (exit code 3 when some were rejected). The first
/// Ctrl-C (or SIGTERM) applies the records read so far, prints what was applied and exits with 130.
/// A profile record (<c>{"$distinct_id", "$properties"}</c>, from <c>export</c> or a Mixpanel
/// profile export) becomes a <c>$set</c> of its properties with <c>$ignore_time</c>; a record
/// without <c>$token</c> gets the project's.
/// </summary>
internal static class ImportCommand
{
    public const int SomeRejected = 3;
    public const int Interrupted = 130;

    private const int BatchSize = 1000;
    private const int ShownRejections = 20;

    public sealed record Options(FileInfo File, string? Project, string GroupKey);

    public static async Task<int> RunAsync(string[] settings, Options options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (!options.File.Exists)
            {
                throw new CommandLineException($"No file {options.File.FullName}.");
            }

            var (app, _) = await CommandLineVerbs.OpenAsync(settings, exclusive: true, cancellationToken);
            await using (app)
            {
                var project = CommandLineVerbs.ChooseProject(app.Services.GetRequiredService<ProjectDirectory>(), options.Project);
                var pipeline = app.Services.GetRequiredService<IngestPipeline>();
                using var interruption = new Interruption(error, cancellationToken);
                var summary = await ImportAsync(options, project, pipeline, error, interruption);
                await summary.WriteAsync(output, interruption.Requested);
                return interruption.Requested ? Interrupted : summary.Rejected == 0 ? 0 : SomeRejected;
            }
        }
        catch (CommandLineException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync("import failed: " + StartupFailure.Describe(e));
            return 1;
        }
    }

    private static async Task<Summary> ImportAsync(Options options, ProjectOptions project, IngestPipeline pipeline, TextWriter error, Interruption interruption)
    {
        var kind = options.GroupKey.Length > 0 ? ProfileKind.Group : ProfileKind.User;
        var summary = new Summary();
        await using var file = new FileStream(options.File.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var progress = new ImportProgress(error, file.CanSeek ? file.Length : null);
        var batch = new List<(ImportSource.Item Item, JsonElement Record)>(BatchSize);

        async Task ApplyAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            // Not cancelled: a batch handed to the store is applied whole, and counted.
            var result = await pipeline.IngestAsync([.. batch.Select(b => b.Record)], new IngestContext(kind, DateTimeOffset.UtcNow, null, "cli-import", "command line"), CancellationToken.None);
            summary.Applied += result.Applied;
            summary.Warnings += result.Warnings.Count;
            foreach (var failure in result.Failed)
            {
                var item = batch[failure.Index].Item;
                summary.Reject($"{item.Where}{(failure.DistinctId is null ? "" : $" ({failure.DistinctId})")}: {(failure.Field.Length > 0 ? failure.Field + ": " : "")}{failure.Message}");
            }

            summary.LastHandled = batch[^1].Item.Where;
            batch.Clear();
            progress.Report(summary.Read, file.CanSeek ? file.Position : null);
        }

        try
        {
            await foreach (var item in ImportSource.ReadAsync(file, interruption.Token))
            {
                if (interruption.Requested)
                {
                    break;
                }

                summary.Read++;
                if (item.Error is not null)
                {
                    summary.Reject($"{item.Where}: {item.Error}");
                    summary.LastHandled = item.Where;
                    continue;
                }

                batch.Add((item, Normalize(item.Record!.Value, project, options.GroupKey)));
                if (batch.Count == BatchSize)
                {
                    await ApplyAsync();
                }
            }
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            // Stopped while waiting for more input: what was read is applied below.
        }

        await ApplyAsync();
        progress.Finish(summary.Read);
        return summary;
    }

    private static JsonElement Normalize(JsonElement record, ProjectOptions project, string groupKey)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return record;
        }

        var node = JsonNode.Parse(record.GetRawText())!.AsObject();
        if (node["$properties"] is JsonObject properties && node.ContainsKey("$distinct_id") && !node.ContainsKey("$set"))
        {
            var id = node["$distinct_id"]!.DeepClone();
            node = groupKey.Length > 0
                ? new JsonObject { ["$group_key"] = groupKey, ["$group_id"] = id, ["$set"] = properties.DeepClone(), ["$ignore_time"] = true }
                : new JsonObject { ["$distinct_id"] = id, ["$set"] = properties.DeepClone(), ["$ignore_time"] = true };
        }

        if (!node.ContainsKey("$token"))
        {
            node["$token"] = project.Token;
        }

        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>What an import did, for its last lines.</summary>
    private sealed class Summary
    {
        private readonly List<string> _shown = [];

        public long Read { get; set; }
        public long Applied { get; set; }
        public long Rejected { get; private set; }
        public long Warnings { get; set; }
        public string? LastHandled { get; set; }

        public void Reject(string line)
        {
            Rejected++;
            if (_shown.Count < ShownRejections)
            {
                _shown.Add(line);
            }
        }

        public async Task WriteAsync(TextWriter output, bool interrupted)
        {
            var counts = $"{Read} record(s): {Applied} applied, {Rejected} rejected, {Warnings} warning(s).";
            await output.WriteLineAsync(interrupted
                ? $"Interrupted. Read {counts} Everything up to {LastHandled ?? "the start"} was handled; nothing after it was applied."
                : $"Read {counts}");
            foreach (var line in _shown)
            {
                await output.WriteLineAsync("  " + line);
            }

            if (Rejected > _shown.Count)
            {
                await output.WriteLineAsync($"  … and {Rejected - _shown.Count} more");
            }
        }
    }

    /// <summary>The first SIGINT or SIGTERM asks the import to stop after what it has read; a second one ends the process.</summary>
    private sealed class Interruption : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly TextWriter _error;
        private readonly PosixSignalRegistration[] _registrations;
        private int _requested;

        public Interruption(TextWriter error, CancellationToken cancellationToken)
        {
            _error = error;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _stop.Token.Register(() => Interlocked.Exchange(ref _requested, 1));
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
        }

        public bool Requested => Volatile.Read(ref _requested) != 0;

        public CancellationToken Token => _stop.Token;

        private void Handle(PosixSignalContext context)
        {
            if (Interlocked.Exchange(ref _requested, 1) != 0)
            {
                return;
            }

            context.Cancel = true;
            lock (_error)
            {
                _error.WriteLine();
                _error.WriteLine("Stopping: applying the records read so far (press Ctrl-C again to quit at once)…");
                _error.Flush();
            }

            _stop.Cancel();
        }

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            _stop.Dispose();
        }
    }
}
