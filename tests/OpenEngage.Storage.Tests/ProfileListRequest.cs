namespace OpenEngage.Storage.Tests;

/// <summary>A page of a project's profiles of one kind (<see cref="GroupKey"/> empty for user profiles), ordered by id.</summary>
public sealed record ProfileListRequest(string Project, string GroupKey, int Offset, int Limit);
