using System.Text;
using System.Text.RegularExpressions;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>An error-level line of the server's log, with the request id of its scope when it has one.</summary>
internal sealed record ServerLogError(string Line, string? RequestId);

/// <summary>
/// The server's console log as the in-process server writes it (the console logger takes <see cref="Console.Out"/>
/// when it is built, which <see cref="FuzzServer"/> points here for that moment). Keeps the error-level lines
/// (<c>fail:</c>, <c>crit:</c>) and any "failed unexpectedly" line; counts the others.
/// </summary>
internal sealed partial class ServerLog : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly List<ServerLogError> _errors = [];
    private readonly Lock _lock = new();
    private long _lines;

    public override Encoding Encoding => Encoding.UTF8;

    public long Lines => Interlocked.Read(ref _lines);

    public IReadOnlyList<ServerLogError> Errors
    {
        get
        {
            lock (_lock) return [.. _errors];
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n') Flush(_pending.ToString());
            else _pending.Append(value);
        }
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_lock)
        {
            var start = 0;
            while (true)
            {
                var newline = value.IndexOf('\n', start);
                if (newline < 0)
                {
                    _pending.Append(value, start, value.Length - start);
                    return;
                }
                _pending.Append(value, start, newline - start);
                Flush(_pending.ToString());
                start = newline + 1;
            }
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    private void Flush(string line)
    {
        _pending.Clear();
        _lines++;
        // The simple console formatter's level names (colours, if any, are ANSI escapes around them).
        if (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal) || line.Contains("failed unexpectedly", StringComparison.Ordinal))
        {
            var id = RequestIdPattern().Match(line);
            _errors.Add(new ServerLogError(line, id.Success ? id.Groups[1].Value : null));
        }
    }

    [GeneratedRegex("RequestId:([0-9a-fA-F-]{36})")]
    private static partial Regex RequestIdPattern();
}
