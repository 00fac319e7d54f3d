using System.Buffers.Text;
using System.Globalization;
using System.Text;
using OpenEngage.Storage;

namespace OpenEngage.Http.Changes;

/// <summary>
/// The opaque cursor strings of the change feed: a feed position and the time (Unix ms) it was
/// current, so a cursor that may point before changes already purged by the history retention is
/// recognised. Text <c>1.transaction.sequence.time</c> in unpadded base64url; clients must not
/// rely on the inside.
/// </summary>
public readonly record struct ChangeCursor(ChangePosition Position, long Time)
{
    private const string Version = "1";

    public override string ToString() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Version}.{Position.Transaction}.{Position.Sequence}.{Time}")));

    /// <summary>Reads a cursor this server issued; false for anything else.</summary>
    public static bool TryParse(string text, out ChangeCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 128 || !Base64Url.IsValid(text))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = decoded.Split('.');
        if (parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var transaction)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var time))
        {
            return false;
        }

        cursor = new ChangeCursor(new ChangePosition(transaction, sequence), time);
        return true;
    }
}
