namespace OpenEngage.Storage;

/// <summary>What to read from the change feed: one project's profiles of one group key ('' = user profiles), after a position.</summary>
public sealed record ChangeFeedQuery(string Project, string GroupKey, ChangePosition After, int Limit)
{
    /// <summary>The most changes one read returns.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Throws when a backend cannot run the query: no project or group key, or a limit outside 1–<see cref="MaxLimit"/>.</summary>
    public void ThrowIfInvalid()
    {
        ArgumentNullException.ThrowIfNull(Project, "query.Project");
        ArgumentNullException.ThrowIfNull(GroupKey, "query.GroupKey");
        ArgumentOutOfRangeException.ThrowIfLessThan(Limit, 1, "query.Limit");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Limit, MaxLimit, "query.Limit");
    }
}
