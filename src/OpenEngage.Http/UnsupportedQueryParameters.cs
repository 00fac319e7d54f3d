namespace OpenEngage.Http;

/// <summary>
/// Parameters of Mixpanel's Engage Query API that OpenEngage does not implement. Ignoring one would
/// answer every profile where the caller asked for a subset, so each is refused with 400 naming it
/// until it is supported.
/// </summary>
public static class UnsupportedQueryParameters
{
    public static readonly IReadOnlyList<string> Names = ["behaviors", "include_all_users"];

    /// <summary>Throws <see cref="WireError"/> 400 naming the first unsupported parameter present.</summary>
    public static void Refuse(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var name in Names)
        {
            if (parameters.ContainsKey(name))
            {
                throw new WireError(400, $"the parameter {name} is not supported by this server; remove it (nothing was answered, so no profile was selected without it)");
            }
        }
    }
}
