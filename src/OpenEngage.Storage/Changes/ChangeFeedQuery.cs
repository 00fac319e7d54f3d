namespace OpenEngage.Storage;

/// <summary>What to read from the change feed: one project's profiles of one group key ('' = user profiles), after a position.</summary>
public sealed record ChangeFeedQuery(string Project, string GroupKey, ChangePosition After, int Limit)
{
    /// <summary>The most changes one read returns.</summary>
    public const int MaxLimit = 10_000;
}
