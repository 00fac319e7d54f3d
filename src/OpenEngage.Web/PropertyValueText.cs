using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Query;

namespace OpenEngage.Web;

/// <summary>How the pages name the type of a stored value and show it as text.</summary>
public static class PropertyValueText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>string, number, boolean, null, list or object; a string that reads as an ISO-8601 date is "datetime".</summary>
    public static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray => "list",
        JsonObject => "object",
        JsonValue scalar => scalar.GetValueKind() switch
        {
            JsonValueKind.String => IsoDateTime.TryParse(scalar.GetValue<string>(), out _) ? "datetime" : "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>A short single-line text: a string as is, anything else as compact JSON; empty for a missing value or null.</summary>
    public static string Short(JsonNode? value) => value switch
    {
        null => "",
        JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String => scalar.GetValue<string>(),
        _ => value.ToJsonString(Compact),
    };

    /// <summary>Indented JSON of any value.</summary>
    public static string Json(JsonNode? value) => value is null ? "null" : value.ToJsonString(Indented);

    /// <summary>Compact JSON of any value.</summary>
    public static string CompactJson(JsonNode? value) => value is null ? "null" : value.ToJsonString(Compact);

    /// <summary>The text the edit form starts from for a stored value, and the type to choose.</summary>
    public static (string Type, string Text) Editable(JsonNode? value) => value switch
    {
        null => ("null", ""),
        JsonArray or JsonObject => ("json", Json(value)),
        JsonValue scalar => scalar.GetValueKind() switch
        {
            JsonValueKind.String => ("string", scalar.GetValue<string>()),
            JsonValueKind.Number => ("number", scalar.ToJsonString()),
            JsonValueKind.True => ("boolean", "true"),
            JsonValueKind.False => ("boolean", "false"),
            _ => ("null", ""),
        },
        _ => ("null", ""),
    };

    /// <summary>
    /// Reads the edit form's value as <paramref name="type"/> (string, number, boolean, null, or json
    /// for lists, objects and any other JSON); throws <see cref="FormatException"/> with a message for the user.
    /// </summary>
    public static JsonNode? Parse(string type, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (type)
        {
            case "string":
                return JsonValue.Create(text);
            case "number":
                if (!NumberValue.TryParse(text.Trim(), out var number))
                {
                    throw new FormatException($"\"{text}\" is not a number.");
                }

                return JsonNode.Parse(number.ToString());
            case "boolean":
                return text.Trim().ToLowerInvariant() switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ => throw new FormatException("A true/false value is true or false."),
                };
            case "null":
                return null;
            case "json":
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException error)
                {
                    throw new FormatException($"Not valid JSON: {error.Message}");
                }

            default:
                throw new FormatException("Choose a type.");
        }
    }
}
