using Microsoft.Extensions.Primitives;

namespace OpenEngage.Http;

/// <summary>The request parameters of the ingestion endpoints, from the query string and, for form bodies, the form.</summary>
public sealed class IngestionParameters
{
    /// <summary>0 = plain <c>1</c>/<c>0</c>; 1 = JSON status; 2 = JSON status and 400 when it is 0.</summary>
    public int Verbose { get; private set; }

    public bool Strict { get; private set; }

    /// <summary>False when <c>ip=0</c>: the request's address is not used for geolocation.</summary>
    public bool UseClientIp { get; private set; } = true;

    public string? Callback { get; private set; }

    public string? Data { get; private set; }

    /// <summary>Reads the parameters this endpoint knows; unknown ones (<c>_</c>, <c>test</c>, <c>img</c>, …) are ignored.</summary>
    public void Read(IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        foreach (var (name, value) in values)
        {
            var text = value.ToString();
            switch (name)
            {
                case "data": Data = text; break;
                case "verbose": Verbose = text.Trim() switch { "1" => 1, "2" => 2, _ => 0 }; break;
                case "strict": Strict = text.Trim() == "1"; break;
                case "ip": UseClientIp = text.Trim() != "0"; break;
                case "callback": Callback = text.Length > 0 ? text : null; break;
                default: break;
            }
        }
    }
}
