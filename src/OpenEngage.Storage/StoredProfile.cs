using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>A profile as stored: its key and its properties.</summary>
public sealed record StoredProfile(ProfileKey Key, JsonObject Properties);

/// <summary>
/// A page of a project's profiles. <see cref="GroupKey"/> is empty for user profiles.
/// The query API's <c>where</c> filter and sorting extend this request.
/// </summary>
public sealed record ProfileListRequest(string Project, string GroupKey, int Offset, int Limit);

/// <summary>One page of profiles and the number of profiles matching in all.</summary>
public sealed record ProfilePage(IReadOnlyList<StoredProfile> Profiles, long Total);
