using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>One property's change: whether it existed before (<paramref name="Had"/>) and after (<paramref name="Has"/>), and its values.</summary>
public readonly record struct PropertyChange(string Name, bool Had, JsonNode? Old, bool Has, JsonNode? New);
