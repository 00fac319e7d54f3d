namespace OpenEngage.Query;

/// <summary>
/// A malformed where expression. <see cref="Exception.Message"/> reads
/// <c>position P: expected X but found Y</c>, where P is the 0-based character offset
/// (UTF-16 code unit) in the expression text at which the problem was detected.
/// </summary>
public sealed class WhereSyntaxException : FormatException
{
    public WhereSyntaxException(int position, string expected, string found)
        : base($"position {position}: expected {expected} but found {found}")
    {
        Position = position;
        Expected = expected;
        Found = found;
    }

    public WhereSyntaxException()
        : this(0, "an expression", "nothing")
    {
    }

    public WhereSyntaxException(string message)
        : base(message)
    {
        Expected = string.Empty;
        Found = string.Empty;
    }

    public WhereSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expected = string.Empty;
        Found = string.Empty;
    }

    /// <summary>0-based offset of the offending character in the expression text.</summary>
    public int Position { get; }

    /// <summary>What the parser expected at <see cref="Position"/>.</summary>
    public string Expected { get; }

    /// <summary>What it found there instead.</summary>
    public string Found { get; }
}
