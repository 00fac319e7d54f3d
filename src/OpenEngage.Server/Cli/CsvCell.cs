using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Cli;

/// <summary>How a CSV cell of <c>export</c> holds a property value, and how <c>import</c> reads it back.</summary>
internal static class CsvCell
{
    /// <summary>Whether <paramref name="text"/> is empty or parses as a JSON value, so a cell holding it as is would be misread.</summary>
    public static bool ReadsAsJson(string text)
    {
        if (text.Length == 0)
        {
            return true;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The value of a property cell: absent when empty, the JSON value it parses as, else the text as a string.</summary>
    public static JsonNode? Value(string cell, out bool present)
    {
        present = cell.Length > 0;
        if (!present)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(cell);
        }
        catch (JsonException)
        {
            return JsonValue.Create(cell);
        }
    }
}
