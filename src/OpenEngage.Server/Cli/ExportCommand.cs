using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Projects;
using OpenEngage.Storage;
using Spectre.Console;

namespace OpenEngage.Server.Cli;

/// <summary><c>export</c>: streams a project's profiles, optionally filtered, as JSONL or CSV.</summary>
internal static class ExportCommand
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record Options(string? Project, string GroupKey, string Format, string? Where, FileInfo? Output);

    public static async Task<int> RunAsync(string[] settings, Options options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var where = CommandLineVerbs.ParseWhere(options.Where);
            var (app, store) = await CommandLineVerbs.OpenAsync(settings, exclusive: false, cancellationToken);
            await using (app)
            {
                var project = CommandLineVerbs.ChooseProject(app.Services.GetRequiredService<ProjectDirectory>(), options.Project);
                var query = new ProfileQuery(project.EffectiveId, options.GroupKey) { Where = where };
                var total = (await store.QueryAsync(query with { Limit = 0 }, cancellationToken)).Total;

                await using var file = options.Output is null ? null : new StreamWriter(options.Output.FullName, append: false, new UTF8Encoding(false));
                var writer = file ?? output;
                var written = await Progress.RunAsync(error, options.Output is not null, "Exporting", total, async advance =>
                {
                    var csvColumns = options.Format == "csv" ? await ColumnsAsync(store, query, cancellationToken) : null;
                    if (csvColumns is not null)
                    {
                        await writer.WriteLineAsync(string.Join(",", csvColumns.Prepend("$distinct_id").Select(Csv)));
                    }

                    long count = 0;
                    await foreach (var profile in store.StreamAsync(query, cancellationToken))
                    {
                        await writer.WriteLineAsync(csvColumns is null ? JsonLine(profile) : CsvLine(profile, csvColumns));
                        advance(++count);
                    }

                    return count;
                });
                await writer.FlushAsync(cancellationToken);
                await error.WriteLineAsync($"Exported {written} profile(s) of project {project.EffectiveId}.");
                return 0;
            }
        }
        catch (CommandLineException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync("export failed: " + StartupFailure.Describe(e));
            return 1;
        }
    }

    /// <summary>The property names of every exported profile, in order of first appearance (a first streamed pass).</summary>
    private static async Task<List<string>> ColumnsAsync(IProfileStore store, ProfileQuery query, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<string>();
        await foreach (var profile in store.StreamAsync(query, cancellationToken))
        {
            foreach (var (name, _) in profile.Properties)
            {
                if (seen.Add(name))
                {
                    columns.Add(name);
                }
            }
        }

        return columns;
    }

    private static string JsonLine(StoredProfile profile) =>
        new JsonObject { ["$distinct_id"] = profile.Key.Id, ["$properties"] = profile.Properties.DeepClone() }.ToJsonString(Json);

    /// <summary>
    /// The id as it is; strings as they are unless they would read back as another JSON value
    /// (<c>42</c>, <c>true</c>, <c>""</c>, <c>[1]</c>…), then as a JSON string; other values as JSON
    /// text; a missing property as an empty cell. <c>import</c> reads it back exactly.
    /// </summary>
    private static string CsvLine(StoredProfile profile, List<string> columns)
    {
        var cells = new List<string>(columns.Count + 1) { Csv(profile.Key.Id) };
        foreach (var column in columns)
        {
            cells.Add(!profile.Properties.TryGetPropertyValue(column, out var value) ? ""
                : value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? Csv(CsvText(text.GetValue<string>()))
                : Csv(value?.ToJsonString(Json) ?? "null"));
        }

        return string.Join(",", cells);
    }

    private static string CsvText(string text) => CsvCell.ReadsAsJson(text) ? JsonSerializer.Serialize(text, Json) : text;

    private static string Csv(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>A progress bar on standard error when it is a terminal; nothing otherwise.</summary>
internal static class Progress
{
    public static async Task<T> RunAsync<T>(TextWriter error, bool allowed, string label, long total, Func<Action<long>, Task<T>> work)
    {
        if (!allowed || Console.IsErrorRedirected || error != Console.Error || total <= 0)
        {
            return await work(_ => { });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress().StartAsync(async context =>
        {
            var task = context.AddTask(label, maxValue: total);
            result = await work(done => task.Value = done);
            task.Value = total;
        });
        return result;
    }
}
