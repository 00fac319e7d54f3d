namespace OpenEngage.Storage.Relational;

/// <summary>What a translated condition is known to be before any row is read.</summary>
public enum SqlTruthKind
{
    /// <summary>Every row matches.</summary>
    True,

    /// <summary>No row matches.</summary>
    False,

    /// <summary>SQL decides nothing: every row is left to the in-memory evaluator.</summary>
    Unknown,

    /// <summary>A SQL expression decides per row (true, false, or NULL for "left to the evaluator").</summary>
    Sql,
}
