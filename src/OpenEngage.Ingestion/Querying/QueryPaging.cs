namespace OpenEngage.Querying;

/// <summary>
/// Which page of a query a caller asks for: its paging session (<see cref="SessionId"/>), the page
/// number from 0, and the page size (null: the session's, or the largest for a new session).
/// </summary>
public sealed record QueryPaging(string SessionId, int Page, int? PageSize);
