using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace OpenEngage.Http;

/// <summary>
/// The parameters of a query API request: the query string and, for a POST, a URL-encoded form of
/// bounded size. Multipart is not a query API format (415). Read only after the credentials are checked.
/// </summary>
public static class QueryForm
{
    /// <summary>The largest form body: room for 2,000 ids of 255 bytes and a <c>where</c> at its limit.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The most fields in the query string and in the form, each.</summary>
    public const int MaxFields = 1024;

    /// <summary>The longest field name.</summary>
    public const int MaxNameLength = 2048;

    public static async Task<Dictionary<string, string>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Query.Count > MaxFields)
        {
            throw new WireError(400, $"the query string has {request.Query.Count} fields; the limit is {MaxFields}");
        }

        Collect(parameters, request.Query);
        var mediaType = request.ContentType is { } contentType ? contentType.Split(';')[0].Trim() : "";
        if (mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            throw new WireError(415, "multipart bodies are not accepted: send the parameters in the query string or as application/x-www-form-urlencoded");
        }

        if (!mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return parameters;
        }

        if (request.ContentLength > MaxBytes)
        {
            throw new WireError(413, $"the form is {request.ContentLength} bytes; the limit is {MaxBytes} bytes");
        }

        string text;
        try
        {
            text = await ReadTextAsync(request.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error) when (RequestBodyErrors.AsRefusal(error) is { } refusal)
        {
            throw refusal;
        }

        var reader = new FormReader(text)
        {
            ValueCountLimit = MaxFields,
            KeyLengthLimit = MaxNameLength,
            ValueLengthLimit = MaxBytes,
        };
        Dictionary<string, StringValues> form;
        try
        {
            form = reader.ReadForm();
        }
        catch (InvalidDataException error)
        {
            throw new WireError(400, $"the form has more than {MaxFields} fields or a field name longer than {MaxNameLength} characters ({error.Message})");
        }

        Collect(parameters, form);
        return parameters;
    }

    private static async Task<string> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        using var collected = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (collected.Length + read > MaxBytes)
            {
                throw new WireError(413, $"the form is larger than the limit of {MaxBytes} bytes");
            }

            collected.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length);
    }

    private static void Collect(Dictionary<string, string> into, IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        foreach (var (name, value) in values)
        {
            if (name.Length > MaxNameLength)
            {
                throw new WireError(400, $"a field name is {name.Length} characters long; the limit is {MaxNameLength}");
            }

            var text = value.ToString();
            if (name.Contains('\0', StringComparison.Ordinal) || text.Contains('\0', StringComparison.Ordinal))
            {
                throw new WireError(400, $"the parameter {name.Replace("\0", "\\u0000", StringComparison.Ordinal)} contains a NUL character (\\u0000)");
            }

            into[name] = text;
        }
    }
}
