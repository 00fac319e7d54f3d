namespace OpenEngage.Web;

/// <summary>The most frequent values of one property.</summary>
public sealed record PropertyValues(string Name, long Profiles, long DistinctValues, IReadOnlyList<PropertyValueCount> Top);
