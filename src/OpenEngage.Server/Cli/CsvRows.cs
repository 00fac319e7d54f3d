using System.Text;

namespace OpenEngage.Server.Cli;

/// <summary>
/// RFC 4180 rows from a reader: fields separated by commas, a quoted field may hold commas, doubled
/// quotes and line breaks. Each row carries the line it starts on.
/// </summary>
internal sealed class CsvRows(TextReader reader)
{
    private long _line = 1;
    private int _pending = -2;

    public sealed record Row(long Line, IReadOnlyList<string> Fields);

    public async Task<Row?> ReadAsync(CancellationToken cancellationToken)
    {
        var start = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        while (true)
        {
            var c = await NextAsync(cancellationToken);
            if (c == -1)
            {
                if (!any)
                {
                    return null;
                }

                fields.Add(field.ToString());
                return new Row(start, fields);
            }

            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (await PeekAsync(cancellationToken) == '"')
                    {
                        await NextAsync(cancellationToken);
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    field.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' when await PeekAsync(cancellationToken) == '\n':
                    break;
                case '\n':
                    _line++;
                    fields.Add(field.ToString());
                    return new Row(start, fields);
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }

    private readonly char[] _buffer = new char[1 << 16];
    private int _offset;
    private int _count;

    private async ValueTask<int> NextAsync(CancellationToken cancellationToken)
    {
        if (_pending != -2)
        {
            var c = _pending;
            _pending = -2;
            return c;
        }

        return await ReadCharAsync(cancellationToken);
    }

    private async ValueTask<int> PeekAsync(CancellationToken cancellationToken)
    {
        if (_pending == -2)
        {
            _pending = await ReadCharAsync(cancellationToken);
        }

        return _pending;
    }

    private async ValueTask<int> ReadCharAsync(CancellationToken cancellationToken)
    {
        if (_offset == _count)
        {
            _count = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
            _offset = 0;
            if (_count == 0)
            {
                return -1;
            }
        }

        return _buffer[_offset++];
    }
}
