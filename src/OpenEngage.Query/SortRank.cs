namespace OpenEngage.Query;

/// <summary>The kinds of <see cref="SortValue"/>, in ascending order.</summary>
public enum SortRank
{
    Missing = 0,
    Number = 1,
    Text = 2,
}
