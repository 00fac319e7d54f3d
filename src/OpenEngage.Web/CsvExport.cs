using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>
/// The list as CSV (RFC 4180): UTF-8 with a byte order mark, CRLF line ends, a header row, one row
/// per profile with the distinct id and the visible columns, a field quoted when it holds a comma,
/// quote, CR or LF, and an empty field for a missing or null value. Streamed as the store reads.
/// </summary>
public static class CsvExport
{
    public static async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        var account = UiAccount.From(context.User, services.GetRequiredService<ProjectDirectory>());
        if (account is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var state = ListState.From(context.Request.Query);
        if (state.WhereError is { } error)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(error.Message, context.RequestAborted);
            return;
        }

        var columns = ListColumns.ForExport(ListColumns.From(context.Request, state.GroupKey));
        var name = state.GroupKey.Length == 0 ? "profiles" : "group-profiles";
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
        context.Response.Headers.CacheControl = "no-store";

        var browser = services.GetRequiredService<ProfileBrowser>();
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024);
        writer.NewLine = "\r\n";
        await writer.WriteLineAsync(Row([state.GroupKey.Length == 0 ? "$distinct_id" : "$group_id", .. columns]));
        var rows = 0;
        await foreach (var profile in browser.StreamAsync(account.ProjectId, state with { Page = 0 }, context.RequestAborted))
        {
            var fields = new List<string>(columns.Count + 1) { profile.Key.Id };
            foreach (var column in columns)
            {
                fields.Add(profile.Properties.TryGetPropertyValue(column, out var value) ? PropertyValueText.Short(value) : "");
            }

            await writer.WriteLineAsync(Row(fields));
            if (++rows % 1000 == 0)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }
    }

    /// <summary>One CSV record (without its line end).</summary>
    public static string Row(IEnumerable<string> fields) => string.Join(',', fields.Select(Field));

    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
