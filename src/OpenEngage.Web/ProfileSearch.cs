using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEngage.Storage;

namespace OpenEngage.Web;

/// <summary>
/// The quick search of the list: the text, case-insensitively, anywhere in the distinct id, in
/// <c>$name</c> or in <c>$email</c>. The <c>where</c> language has no case-insensitive comparison,
/// so this is not a <c>where</c>: the profiles the <c>where</c> keeps are streamed from the store
/// and tested here.
/// </summary>
public static class ProfileSearch
{
    public static readonly IReadOnlyList<string> SearchedProperties = ["$name", "$email"];

    public static bool Matches(StoredProfile profile, string text)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (string.IsNullOrEmpty(text) || profile.Key.Id.Contains(text, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var name in SearchedProperties)
        {
            if (profile.Properties.TryGetPropertyValue(name, out var value) && value is JsonValue scalar
                && scalar.GetValueKind() == JsonValueKind.String && scalar.GetValue<string>().Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
