using System.Security.Cryptography;
using System.Text;

namespace Citadel.Audit;

/// <summary>The outcome of verifying the audit journal's hash chain.</summary>
/// <param name="Records">Records that verified.</param>
/// <param name="Valid">Whether the whole journal verified.</param>
/// <param name="Problem">What is wrong, naming the first record (1-based, in journal order) where the chain breaks.</param>
/// <param name="Segment">The segment of that record.</param>
/// <param name="Offset">Its byte offset in the segment.</param>
public sealed record ChainReport(long Records, bool Valid, string? Problem, int? Segment, long? Offset)
{
    /// <summary>Records pruned by retention before the first kept segment (the anchor's count), not verified here.</summary>
    public long Pruned { get; init; }
}

/// <summary>
/// Recomputes the journal's hash chain from the first record. An edited, inserted, removed or reordered
/// record breaks the chain at the first record that differs; records cut from the end are caught by
/// comparing the journal's end with the position the index has recorded (a witness kept apart from the journal).
/// After retention pruned old segments, the chain starts from the anchor's link at the anchor's segment: a kept
/// segment missing or edited still breaks it; the pruned records are vouched for by the digests of the trails
/// that delivered them.
/// </summary>
public static class AuditChainVerifier
{
    /// <summary>Verifies the journal in <paramref name="directory"/>; <paramref name="witness"/> is the end the index recorded, if known.</summary>
    public static ChainReport Verify(string directory, JournalPosition? witness = null)
    {
        var anchor = AuditJournal.ReadAnchor(directory);
        var previous = anchor is null ? new byte[32] : Convert.FromHexString(anchor.Link);
        long records = 0;
        JournalPosition end = new(anchor?.Segment ?? 1, 0);
        foreach (var segment in AuditJournal.Segments(directory).Where(s => anchor is null || s >= anchor.Segment))
        {
            var bytes = File.ReadAllBytes(AuditJournal.SegmentPath(directory, segment));
            var offset = 0;
            while (offset < bytes.Length)
            {
                var newline = bytes.AsSpan(offset).IndexOf((byte)'\n');
                var record = records + 1;
                if (newline < 0)
                    return Broken(records, $"record {record} is incomplete (no end of line)", segment, offset);
                var line = bytes.AsSpan(offset, newline);
                if (line.Length <= AuditJournal.PrefixBytes || line[64] != (byte)' ' || !TryHex(line[..64], out var stored))
                    return Broken(records, $"record {record} is malformed (no chain link)", segment, offset);
                var expected = AuditJournal.Link(previous, line[AuditJournal.PrefixBytes..]);
                if (!CryptographicOperations.FixedTimeEquals(expected, stored))
                    return Broken(records, $"record {record} breaks the hash chain: it or a record before it was edited, inserted, removed or reordered", segment, offset);
                previous = stored;
                records++;
                offset += newline + 1;
            }
            end = new JournalPosition(segment, bytes.Length);
        }
        if (witness is not null && end.IsBefore(witness))
            return Broken(records, $"the journal ends at segment {end.Segment} byte {end.Offset}, before segment {witness.Segment} byte {witness.Offset} that the index recorded: records were removed from the end", end.Segment, end.Offset);
        return new ChainReport(records, true, null, null, null) { Pruned = anchor?.Records ?? 0 };
    }

    private static ChainReport Broken(long records, string problem, int segment, long offset) => new(records, false, problem, segment, offset);

    private static bool TryHex(ReadOnlySpan<byte> hex, out byte[] value)
    {
        try
        {
            value = Convert.FromHexString(Encoding.ASCII.GetString(hex));
            return true;
        }
        catch (FormatException)
        {
            value = [];
            return false;
        }
    }
}
