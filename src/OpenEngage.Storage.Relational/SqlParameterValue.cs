namespace OpenEngage.Storage.Relational;

/// <summary>
/// One parameter a <see cref="SqlCommandBuilder"/> created: its name as written in the SQL, its
/// value, and the database type name the backend binds it as (null: the driver's default for the value).
/// </summary>
public sealed record SqlParameterValue(string Name, object Value, string? DataTypeName)
{
    public void Deconstruct(out string name, out object value)
    {
        name = Name;
        value = Value;
    }
}
