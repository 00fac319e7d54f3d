using System.Text.Json.Nodes;

namespace OpenEngage.Web;

/// <summary>A change for every profile of a filter: <c>set</c> a property to a value, <c>unset</c> it, or <c>delete</c> the profile.</summary>
public sealed record BulkChange(string Operation, string? Property, JsonNode? Value)
{
    public string Description => Operation switch
    {
        "set" => $"Set {Property} to {PropertyValueText.CompactJson(Value)}",
        "unset" => $"Unset {Property}",
        _ => "Delete profiles",
    };
}
