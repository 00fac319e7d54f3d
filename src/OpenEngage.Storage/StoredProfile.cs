using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A profile as stored: its key and its properties.</summary>
public sealed record StoredProfile(ProfileKey Key, JsonObject Properties);
