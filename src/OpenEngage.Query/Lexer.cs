using System.Globalization;
using System.Text;

namespace OpenEngage.Query;

internal enum TokenKind
{
    End,
    Identifier,
    String,
    Number,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqualEqual,
    BangEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
}

/// <summary>A token; <see cref="Text"/> is the source slice, <see cref="StringValue"/> the decoded string literal.</summary>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, string? StringValue = null)
{
    public bool IsKeyword(string keyword) =>
        Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>How an error message names this token.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.Identifier => $"'{Text}'",
        TokenKind.String => "string " + Shorten(Text),
        TokenKind.Number => "number " + Shorten(Text),
        _ => $"'{Text}'",
    };

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..21] + "...";
}

/// <summary>Splits where text into tokens; throws <see cref="WhereSyntaxException"/> on a malformed one.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, text.Length, string.Empty));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (c == '"')
            {
                tokens.Add(ReadString(text, ref i));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, start, text[start..i]));
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            (TokenKind kind, int length) = c switch
            {
                '(' => (TokenKind.LeftParen, 1),
                ')' => (TokenKind.RightParen, 1),
                '[' => (TokenKind.LeftBracket, 1),
                ']' => (TokenKind.RightBracket, 1),
                ',' => (TokenKind.Comma, 1),
                '+' => (TokenKind.Plus, 1),
                '-' => (TokenKind.Minus, 1),
                '*' => (TokenKind.Star, 1),
                '/' => (TokenKind.Slash, 1),
                '%' => (TokenKind.Percent, 1),
                '=' when next == '=' => (TokenKind.EqualEqual, 2),
                '!' when next == '=' => (TokenKind.BangEqual, 2),
                '>' when next == '=' => (TokenKind.GreaterEqual, 2),
                '>' => (TokenKind.Greater, 1),
                '<' when next == '=' => (TokenKind.LessEqual, 2),
                '<' => (TokenKind.Less, 1),
                '=' => throw new WhereSyntaxException(i, "'=='", "'='"),
                '!' => throw new WhereSyntaxException(i, "'!='", "'!'"),
                _ => throw new WhereSyntaxException(i, "an expression or operator", DescribeChar(c)),
            };
            tokens.Add(new Token(kind, start, text.Substring(start, length)));
            i += length;
        }
    }

    internal static string DescribeChar(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c)
            ? $"character U+{(int)c:X4}"
            : $"'{c}'";

    private static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$';

    private static Token ReadNumber(string text, ref int i)
    {
        var start = i;
        SkipDigits(text, ref i);
        if (i < text.Length && text[i] == '.')
        {
            i++;
            RequireDigit(text, i, "a digit after '.'");
            SkipDigits(text, ref i);
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            RequireDigit(text, i, "a digit in the exponent");
            SkipDigits(text, ref i);
        }

        var slice = text[start..i];
        if (!NumberValue.TryParse(slice, out _))
        {
            throw new WhereSyntaxException(start, "a finite number", "number " + slice);
        }

        return new Token(TokenKind.Number, start, slice);
    }

    private static void SkipDigits(string text, ref int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
    }

    private static void RequireDigit(string text, int i, string expected)
    {
        if (i >= text.Length)
        {
            throw new WhereSyntaxException(i, expected, "end of input");
        }

        if (!char.IsAsciiDigit(text[i]))
        {
            throw new WhereSyntaxException(i, expected, DescribeChar(text[i]));
        }
    }

    private static Token ReadString(string text, ref int i)
    {
        var start = i;
        i++;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new WhereSyntaxException(i, "'\"' to close the string opened at position " + start.ToString(CultureInfo.InvariantCulture), "end of input");
            }

            var c = text[i];
            if (c == '"')
            {
                i++;
                return new Token(TokenKind.String, start, text[start..i], value.ToString());
            }

            if (c != '\\')
            {
                value.Append(c);
                i++;
                continue;
            }

            i++;
            if (i >= text.Length)
            {
                throw new WhereSyntaxException(i, "an escape character after '\\'", "end of input");
            }

            var escape = text[i];
            switch (escape)
            {
                case '"':
                case '\\':
                case '/':
                    value.Append(escape);
                    break;
                case 'n':
                    value.Append('\n');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case 'b':
                    value.Append('\b');
                    break;
                case 'f':
                    value.Append('\f');
                    break;
                case 'u':
                    var code = 0;
                    for (var k = 1; k <= 4; k++)
                    {
                        if (i + k >= text.Length)
                        {
                            throw new WhereSyntaxException(i + k, "4 hex digits after '\\u'", "end of input");
                        }

                        var h = text[i + k];
                        if (!char.IsAsciiHexDigit(h))
                        {
                            throw new WhereSyntaxException(i + k, "4 hex digits after '\\u'", DescribeChar(h));
                        }

                        code = (code * 16) + Convert.ToInt32(h.ToString(), 16);
                    }

                    value.Append((char)code);
                    i += 4;
                    break;
                default:
                    throw new WhereSyntaxException(i, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", DescribeChar(escape));
            }

            i++;
        }
    }
}
