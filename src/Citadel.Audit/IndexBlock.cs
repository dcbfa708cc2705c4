using Microsoft.Win32.SafeHandles;

namespace Citadel.Audit;

/// <summary>A block of the lookup index: consecutive journal records from <paramref name="Start"/>, <paramref name="Length"/> bytes in all.</summary>
/// <param name="FirstSeq">The ordinal of the block's first record in the whole journal (lookup tokens carry ordinals).</param>
internal readonly record struct IndexBlock(long FirstSeq, int Count, JournalPosition Start, int Length, long MaxTime)
{
    /// <summary>The ordinal of the block's last record.</summary>
    public long LastSeq => FirstSeq + Count - 1;
}

/// <summary>Reads index blocks' records back from the journal, opening each segment once per lookup.</summary>
internal sealed class BlockReader(string journalDirectory) : IDisposable
{
    private readonly Dictionary<int, SafeFileHandle?> _segments = [];

    /// <summary>
    /// The block's records with their ordinals and UTF-8 JSON (decoded to text only for the events a lookup returns);
    /// none when its segment was pruned. A block whose bytes are no longer whole records (a journal cut back under the
    /// index) is an error: the index is rebuilt from it.
    /// </summary>
    public IEnumerable<(IndexedRecord Record, long Seq, ReadOnlyMemory<byte> Json)> Records(IndexBlock block)
    {
        if (!_segments.TryGetValue(block.Start.Segment, out var segment))
            _segments[block.Start.Segment] = segment = AuditJournal.OpenSegment(journalDirectory, block.Start.Segment);
        if (segment is null) yield break;
        var bytes = new byte[block.Length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(segment, bytes.AsSpan(read), block.Start.Offset + read);
            if (n == 0) throw new InvalidDataException($"Journal segment {block.Start.Segment} ends inside the index block at byte {block.Start.Offset}.");
            read += n;
        }
        var seq = block.FirstSeq;
        var position = 0;
        while (position < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', position);
            if (newline < 0 || newline - position < AuditJournal.PrefixBytes)
                throw new InvalidDataException($"Journal segment {block.Start.Segment} has a malformed record at byte {block.Start.Offset + position}.");
            var json = bytes.AsMemory(position + AuditJournal.PrefixBytes, newline - position - AuditJournal.PrefixBytes);
            yield return (IndexedRecord.Parse(json.Span), seq++, json);
            position = newline + 1;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var segment in _segments.Values) segment?.Dispose();
    }
}
