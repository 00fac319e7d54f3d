using System.Text;

namespace OpenEngage.Profiles;

/// <summary>Truncates strings to a UTF-8 byte budget without splitting a character.</summary>
public static class Utf8Truncation
{
    public static string Truncate(string text, int maxBytes)
    {
        // A string of at most maxBytes/3 UTF-16 units cannot exceed maxBytes in UTF-8.
        if (text.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            int width;
            int units;
            if (char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]))
            {
                width = 4;
                units = 2;
            }
            else
            {
                var c = text[end];
                width = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                units = 1;
            }

            if (bytes + width > maxBytes)
            {
                break;
            }

            bytes += width;
            end += units;
        }

        return text[..end];
    }
}
