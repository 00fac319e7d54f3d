using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>One page of a query's answer: the page size it was cut with, the number of matches in all, and its profiles in order.</summary>
public sealed record QueryPageResult(int PageSize, long Total, IReadOnlyList<StoredProfile> Profiles);
