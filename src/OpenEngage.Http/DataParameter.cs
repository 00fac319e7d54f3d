using System.Text;

namespace OpenEngage.Http;

/// <summary>
/// Decodes the <c>data</c> parameter: plain JSON when, trimmed, it starts with <c>{</c> or <c>[</c>;
/// otherwise base64 in the standard or URL-safe alphabet, padding optional, where a space stands for
/// a <c>+</c> that a form decoder turned into a space.
/// </summary>
public static class DataParameter
{
    public static byte[] Decode(string value)
    {
        var text = value.AsSpan().Trim();
        if (text.Length == 0)
        {
            throw new WireError(400, "the data parameter is empty");
        }

        if (text[0] is '{' or '[')
        {
            return Encoding.UTF8.GetBytes(text.ToString());
        }

        var normalized = new char[text.Length + 3];
        var length = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case ' ' or '-': normalized[length++] = '+'; break;
                case '_': normalized[length++] = '/'; break;
                case '\r' or '\n' or '\t': break;
                default: normalized[length++] = c; break;
            }
        }

        while (length % 4 != 0)
        {
            normalized[length++] = '=';
        }

        var bytes = new byte[length / 4 * 3];
        if (!Convert.TryFromBase64Chars(normalized.AsSpan(0, length), bytes, out var written))
        {
            throw new WireError(400, "the data parameter is neither JSON nor valid base64");
        }

        return bytes[..written];
    }
}
