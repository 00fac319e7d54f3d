using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;

namespace OpenEngage.Server.Cli;

/// <summary>
/// <c>import</c>: applies /engage records from a JSONL file or a JSON array through the ingestion
/// pipeline (the same validation and store as HTTP), in batches, and sums up what was refused.
/// A Mixpanel profile export record (<c>{"$distinct_id", "$properties"}</c>) becomes a <c>$set</c>
/// of its properties with <c>$ignore_time</c>; a record without <c>$token</c> gets the project's.
/// </summary>
internal static class ImportCommand
{
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

            var (app, _) = await CommandLineVerbs.OpenAsync(settings, cancellationToken);
            await using (app)
            {
                var projects = app.Services.GetRequiredService<ProjectDirectory>();
                var project = CommandLineVerbs.ChooseProject(projects, options.Project);
                var pipeline = app.Services.GetRequiredService<IngestPipeline>();
                var kind = options.GroupKey.Length > 0 ? ProfileKind.Group : ProfileKind.User;

                var applied = 0L;
                var rejected = new List<string>();
                var rejectedCount = 0L;
                var warnings = 0L;
                var records = 0L;
                await Progress.RunAsync(error, true, "Importing", options.File.Length, async advance =>
                {
                    await using var stream = options.File.OpenRead();
                    var batch = new List<(long Number, JsonElement Record)>(BatchSize);
                    async Task FlushAsync()
                    {
                        if (batch.Count == 0)
                        {
                            return;
                        }

                        var result = await pipeline.IngestAsync([.. batch.Select(b => b.Record)], new IngestContext(kind, DateTimeOffset.UtcNow, null), cancellationToken);
                        applied += result.Applied;
                        warnings += result.Warnings.Count;
                        foreach (var failure in result.Failed)
                        {
                            rejectedCount++;
                            if (rejected.Count < ShownRejections)
                            {
                                rejected.Add($"record {batch[failure.Index].Number}{(failure.DistinctId is null ? "" : $" ({failure.DistinctId})")}: {(failure.Field.Length > 0 ? failure.Field + ": " : "")}{failure.Message}");
                            }
                        }

                        batch.Clear();
                        advance(stream.Position);
                    }

                    await foreach (var record in ReadRecordsAsync(stream, cancellationToken))
                    {
                        records++;
                        batch.Add((records, Normalize(record, project, options.GroupKey)));
                        if (batch.Count == BatchSize)
                        {
                            await FlushAsync();
                        }
                    }

                    await FlushAsync();
                    return 0;
                });

                await output.WriteLineAsync($"Read {records} record(s): {applied} applied, {rejectedCount} rejected, {warnings} warning(s).");
                foreach (var line in rejected)
                {
                    await output.WriteLineAsync("  " + line);
                }

                if (rejectedCount > rejected.Count)
                {
                    await output.WriteLineAsync($"  … and {rejectedCount - rejected.Count} more");
                }

                return rejectedCount == 0 ? 0 : 2;
            }
        }
        catch (CommandLineException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"The file is not JSONL or a JSON array: {e.Message}");
            return 1;
        }
    }

    /// <summary>Records of a JSON array (streamed) or of JSON lines.</summary>
    private static async IAsyncEnumerable<JsonElement> ReadRecordsAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = -1;
        while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF or -1)
        {
            first = stream.ReadByte();
            if (first == -1)
            {
                yield break;
            }
        }

        stream.Seek(-1, SeekOrigin.Current);
        if (first == '[')
        {
            await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, cancellationToken: cancellationToken))
            {
                yield return element;
            }

            yield break;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 65536, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                using var document = JsonDocument.Parse(line);
                yield return document.RootElement.Clone();
            }
        }
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
}
