namespace OpenEngage.Storage;

/// <summary>
/// A place in the change feed: every change up to and including it has been read. Changes are
/// ordered by (<see cref="Transaction"/>, <see cref="Sequence"/>). The embedded store commits one
/// transaction at a time, so its transaction part is always 0 and the sequence alone orders; on
/// PostgreSQL the transaction id comes first, because a transaction that took a smaller sequence
/// number may commit after one that took a larger one, while no transaction can appear with an id
/// below the oldest one still running.
/// </summary>
public readonly record struct ChangePosition(long Transaction, long Sequence) : IComparable<ChangePosition>
{
    /// <summary>Before every change.</summary>
    public static ChangePosition Start => default;

    public int CompareTo(ChangePosition other) =>
        Transaction != other.Transaction ? Transaction.CompareTo(other.Transaction) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(ChangePosition left, ChangePosition right) => left.CompareTo(right) < 0;

    public static bool operator >(ChangePosition left, ChangePosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(ChangePosition left, ChangePosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ChangePosition left, ChangePosition right) => left.CompareTo(right) >= 0;
}
