using System.Globalization;

namespace Citadel.Audit;

/// <summary>
/// The time range of the version-7 UUIDs (event ids, request ids) of an index block. Citadel's ids are UUIDv7, whose
/// first 48 bits are the Unix time in milliseconds at which they were made, so a block records the range of its ids'
/// times instead of a row per id, and a lookup by id reads the blocks whose range covers that id's time. An id that
/// is not a UUIDv7, or whose time lies more than <see cref="Window"/> from the block's first id, is not taken: the
/// index keeps a row for it. That bounds every range to twice the window, and so the scan for the candidates.
/// </summary>
internal sealed class IdRange
{
    /// <summary>How far from the block's first id an id's time may lie and still join the range (ms).</summary>
    public const long Window = 5 * 60 * 1000;

    private long? _anchor;

    public long? Min { get; private set; }
    public long? Max { get; private set; }

    /// <summary>The range's width (ms), 0 when empty.</summary>
    public long Span => Max - Min ?? 0;

    /// <summary>Takes the id into the range, or returns false when it needs a row of its own.</summary>
    public bool TryAdd(string id)
    {
        if (!TryTime(id, out var time)) return false;
        _anchor ??= time;
        if (Math.Abs(time - _anchor.Value) > Window) return false;
        Min = Math.Min(Min ?? time, time);
        Max = Math.Max(Max ?? time, time);
        return true;
    }

    public void Clear() => _anchor = Min = Max = null;

    /// <summary>The time (Unix ms) of a UUIDv7 in its canonical text form (8-4-4-4-12 hex digits), or false for anything else.</summary>
    public static bool TryTime(string id, out long time)
    {
        time = 0;
        if (id.Length != 36 || id[8] != '-' || id[13] != '-' || id[14] != '7' || id[18] != '-' || id[23] != '-'
            || "89abAB".IndexOf(id[19], StringComparison.Ordinal) < 0 || !Guid.TryParseExact(id, "D", out _))
            return false;
        Span<char> hex = stackalloc char[12];
        id.AsSpan(0, 8).CopyTo(hex);
        id.AsSpan(9, 4).CopyTo(hex[8..]);
        return long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out time);
    }
}
