using OpenEngage.Query;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// The leaves of one SQL dialect for <see cref="WhereSqlTranslator"/>: each translates one test of
/// a top-level property against a constant into a condition that is exact or unknown, never
/// wrong (a wrong leaf would cost a wrong answer; an unknown one only costs an evaluation in
/// memory). One instance serves one translation; its parameters go through <see cref="Command"/>.
/// </summary>
public abstract class WhereDialect
{
    protected WhereDialect(SqlCommandBuilder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Command = command;
    }

    /// <summary>The parameters of this translation.</summary>
    public SqlCommandBuilder Command { get; }

    /// <summary>How the dialect writes a constant condition: true, false, unknown.</summary>
    public abstract string Literal(SqlTruthKind constant);

    /// <summary><c>defined(p)</c>.</summary>
    public abstract SqlTruth Defined(string name);

    /// <summary>The truthiness of <c>p</c>.</summary>
    public abstract SqlTruth Truthy(string name);

    /// <summary><c>p == constant</c> (and, negated by the walk, <c>!=</c>).</summary>
    public abstract SqlTruth Equal(string name, Value constant);

    /// <summary><c>p op constant</c> for <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>.</summary>
    public abstract SqlTruth Order(BinaryOperator op, string name, Value constant);

    /// <summary><c>p in constant</c>.</summary>
    public abstract SqlTruth NeedleIn(string name, Value haystack);

    /// <summary><c>constant in p</c>.</summary>
    public abstract SqlTruth InProperty(Value needle, string name);

    /// <summary>
    /// <c>left AND right</c> or <c>left OR right</c> (<paramref name="op"/>) in Kleene's three-valued
    /// logic, of two conditions that each yield true, false or NULL. The default is SQL's own operator.
    /// </summary>
    public virtual string Combine(string op, string left, string right) => $"({left} {op} {right})";

    /// <summary>
    /// The final form of a translated expression that is not a constant; <paramref name="combined"/>
    /// tells whether it holds an AND or an OR. The default leaves it as it is.
    /// </summary>
    public virtual string Finish(string sql, bool combined) => sql;

    /// <summary>
    /// The doubles within a relative 1e-9 of a number: where the evaluator's decimal rules could
    /// decide otherwise than SQL's arithmetic, so a comparison there is unknown.
    /// </summary>
    protected static (double Low, double High) Band(NumberValue n)
    {
        ArgumentNullException.ThrowIfNull(n);
        var d = n.Approximate;
        var width = Math.Max(Math.Abs(d) * 1e-9, 1e-300);
        return (d - width, d + width);
    }
}
