namespace OpenEngage.Web;

/// <summary>A property name, the types its values have, and how many profiles have it.</summary>
public sealed record PropertySummary(string Name, IReadOnlyList<string> Types, long Profiles);
