namespace OpenEngage.Storage.Relational;

/// <summary>
/// A condition in Kleene's three-valued logic: a constant (true, false, unknown) or a SQL
/// expression that yields one of the three per row. Folding works on the kind, never on SQL text.
/// </summary>
public sealed class SqlTruth
{
    public static readonly SqlTruth True = new(SqlTruthKind.True, null);
    public static readonly SqlTruth False = new(SqlTruthKind.False, null);
    public static readonly SqlTruth Unknown = new(SqlTruthKind.Unknown, null);

    private SqlTruth(SqlTruthKind kind, string? sql)
    {
        Kind = kind;
        Sql = sql;
    }

    public SqlTruthKind Kind { get; }

    /// <summary>The expression when <see cref="Kind"/> is <see cref="SqlTruthKind.Sql"/>; else null.</summary>
    public string? Sql { get; }

    /// <summary>True for <see cref="True"/>, <see cref="False"/> and <see cref="Unknown"/>.</summary>
    public bool IsConstant => Kind != SqlTruthKind.Sql;

    /// <summary>A condition SQL decides per row.</summary>
    public static SqlTruth Of(string sql)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return new SqlTruth(SqlTruthKind.Sql, sql);
    }

    /// <summary>A constant of the truth value: true or false.</summary>
    public static SqlTruth From(bool value) => value ? True : False;

    public override string ToString() => Sql ?? Kind.ToString();
}
