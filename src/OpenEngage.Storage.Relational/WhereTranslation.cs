namespace OpenEngage.Storage.Relational;

/// <summary>
/// A where filter translated to SQL: the expression (the dialect's constant when the walk folded
/// it to one), what is known of it before reading a row, and the parameters it was built with.
/// </summary>
public sealed record WhereTranslation(string Sql, SqlTruthKind Kind, IReadOnlyList<SqlParameterValue> Parameters)
{
    /// <summary>True when every row matches.</summary>
    public bool IsAll => Kind == SqlTruthKind.True;

    /// <summary>True when no row matches.</summary>
    public bool IsNone => Kind == SqlTruthKind.False;

    /// <summary>True when SQL decides nothing: every row is evaluated in memory.</summary>
    public bool IsUnknown => Kind == SqlTruthKind.Unknown;
}
