using System.ComponentModel.DataAnnotations;

namespace OpenEngage.Http.Changes;

/// <summary>
/// How long the change log keeps changes (<c>History:RetentionDays</c>, the history retention that
/// also bounds the change log); 0 means the change log is not written and the feed is off.
/// </summary>
public sealed class ChangeFeedRetention
{
    public const string Section = "History";

    /// <summary>A margin for cursors near the horizon: changes committed just after a cursor may have arrived slightly before its time.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    [Range(0, 36500)]
    public int RetentionDays { get; set; } = 90;

    public bool Enabled => RetentionDays > 0;
}
