namespace OpenEngage.Storage;

/// <summary>
/// Settings of the change log (<c>profile_changes</c>) and the property history (section <c>History</c>).
/// </summary>
public sealed class HistoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "History";

    /// <summary>The default of <see cref="RetentionDays"/>.</summary>
    public const int DefaultRetentionDays = 90;

    /// <summary>The largest accepted <see cref="RetentionDays"/> (about 100 years).</summary>
    public const int MaxRetentionDays = 36_500;

    /// <summary>
    /// How many days of changes and history are kept (by arrival time); 0 turns both off: nothing is
    /// recorded.
    /// </summary>
    public int RetentionDays { get; set; } = DefaultRetentionDays;

    /// <summary>True when changes are recorded.</summary>
    public bool Enabled => RetentionDays > 0;

    /// <summary>Retention off: no change log, no history.</summary>
    public static HistoryOptions Off => new() { RetentionDays = 0 };
}
