using System.Data.Common;
using System.Globalization;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// Owns the parameters of one translated piece of SQL: every value goes in through
/// <see cref="AddParameter"/>, which names it (a prefix and a counter) and returns the placeholder
/// to write. A command binds exactly the parameters created here, each by its own entry; none is
/// found by searching the SQL text (where <c>$w1</c> is also the start of <c>$w10</c>).
/// </summary>
public sealed class SqlCommandBuilder
{
    private readonly string _prefix;
    private readonly List<SqlParameterValue> _parameters = [];

    /// <param name="prefix">The placeholder's start, including the dialect's marker: <c>$w</c>, <c>@w</c>.</param>
    public SqlCommandBuilder(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        _prefix = prefix;
    }

    public IReadOnlyList<SqlParameterValue> Parameters => _parameters;

    /// <summary>Adds a parameter and returns its placeholder.</summary>
    public string AddParameter(object value, string? dataTypeName = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = _prefix + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new SqlParameterValue(name, value, dataTypeName));
        return name;
    }

    /// <summary>
    /// Adds every parameter of <paramref name="parameters"/> to <paramref name="command"/>, new
    /// parameter objects each time (a parameter belongs to one command). <paramref name="typed"/>
    /// sets the driver's type of a parameter that names one.
    /// </summary>
    public static void Bind(DbCommand command, IReadOnlyList<SqlParameterValue> parameters, Action<DbParameter, string>? typed = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, value, dataTypeName) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            if (dataTypeName is not null)
            {
                typed?.Invoke(parameter, dataTypeName);
            }

            command.Parameters.Add(parameter);
        }
    }
}
