using System.Text;

namespace Citadel.Audit;

/// <summary>A position in the journal: segment number and byte offset.</summary>
public sealed record JournalPosition(int Segment, long Offset) : IComparable<JournalPosition>
{
    /// <summary>The start of the journal.</summary>
    public static readonly JournalPosition Start = new(1, 0);

    /// <summary>Whether this position comes before <paramref name="other"/>.</summary>
    public bool IsBefore(JournalPosition other) => CompareTo(other) < 0;

    /// <inheritdoc />
    public int CompareTo(JournalPosition? other)
        => other is null ? 1 : Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool operator <(JournalPosition a, JournalPosition b) => a.CompareTo(b) < 0;
    /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool operator >(JournalPosition a, JournalPosition b) => a.CompareTo(b) > 0;
    /// <summary>Whether <paramref name="a"/> is not after <paramref name="b"/>.</summary>
    public static bool operator <=(JournalPosition a, JournalPosition b) => a.CompareTo(b) <= 0;
    /// <summary>Whether <paramref name="a"/> is not before <paramref name="b"/>.</summary>
    public static bool operator >=(JournalPosition a, JournalPosition b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// Where the journal continues after old segments were pruned: the first segment kept, the chain link of the
/// last pruned record (the kept records chain on from it) and how many records were pruned in all.
/// </summary>
public sealed record JournalAnchor(int Segment, string Link, long Records);

/// <summary>One journal record as read: its JSON (UTF-8, without the chain prefix), where its line starts and where the next begins.</summary>
public readonly record struct JournalEntry(ReadOnlyMemory<byte> Json, JournalPosition Start, JournalPosition After);

/// <summary>
/// The durable audit journal: append-only segment files (<c>journal-000001.log</c>, ...) of one
/// CloudTrail JSON record per line, each prefixed by its hash-chain link:
/// <code>hex(chain_i) ' ' json_i '\n'    chain_i = SHA-256(chain_{i-1} || json_i), chain_0 = 32 zero bytes</code>
/// so every record commits to all records before it (<see cref="AuditChainVerifier"/>). A batch is written
/// and fsynced before any of its requests is answered. At open, an incomplete last line (a write cut by
/// a crash, never acknowledged) is cut off.
/// </summary>
public sealed class AuditJournal : IDisposable
{
    /// <summary>Segments roll over at this size.</summary>
    public const long SegmentBytes = 64L << 20;

    /// <summary>Bytes of the chain prefix: 64 hex characters and a space.</summary>
    public const int PrefixBytes = 65;

    /// <summary>The anchor file written when old segments are pruned.</summary>
    public const string AnchorFile = "anchor.json";

    private readonly string _directory;
    private readonly long _segmentBytes;
    private FileStream _current;
    private int _segment;
    private long _length; // of the current segment: only this writer changes it, so no fstat per append
    private byte[] _head;
    private readonly System.Security.Cryptography.IncrementalHash _chain = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
    private MemoryStream _buffer = new();

    /// <summary>Opens the journal in <paramref name="directory"/>, repairing a torn tail; segments roll over at <paramref name="segmentBytes"/>.</summary>
    public AuditJournal(string directory, long segmentBytes = SegmentBytes)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        Storage.FilePermissions.CreatePrivateDirectory(directory);
        var segments = Segments(directory);
        _segment = segments.Count == 0 ? 1 : segments[^1];
        var path = SegmentPath(directory, _segment);
        _current = Open(path);
        TruncateTornTail(_current);
        _length = _current.Length;
        Storage.FilePermissions.RestrictToOwner(path);
        Storage.DirectorySync.Sync(directory); // a first segment just created: its name made durable, as in Roll
        _head = LastLink(directory, segments) ?? (ReadAnchor(directory) is { } anchor ? Convert.FromHexString(anchor.Link) : new byte[32]);
    }

    /// <summary>The next chain link: SHA-256 of the previous link and the record's bytes.</summary>
    public static byte[] Link(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> record)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(previous);
        hash.AppendData(record);
        return hash.GetHashAndReset();
    }

    /// <summary>The position just after the last durable record.</summary>
    public JournalPosition End => new(_segment, _length);

    /// <summary>Appends records (each one line of JSON, without newline) and fsyncs them.</summary>
    public void Append(IReadOnlyList<string> records) => Append(records.Select(r => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(r)).ToList());

    /// <summary>Appends records (each one line of UTF-8 JSON, without newline) in one write and fsyncs them.</summary>
    public void Append(IReadOnlyList<byte[]> records) => Append(records.Select(r => (ReadOnlyMemory<byte>)r).ToList());

    /// <summary>Appends records (each one line of UTF-8 JSON, without newline) in one write and fsyncs them.</summary>
    public void Append(IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        _buffer.SetLength(0);
        var head = _head;
        Span<byte> hex = stackalloc byte[64];
        foreach (var record in records)
        {
            var bytes = record.Span;
            if (bytes.IndexOf((byte)'\n') >= 0) throw new ArgumentException("A journal record must be one line.", nameof(records));
            _chain.AppendData(head);
            _chain.AppendData(bytes);
            head = _chain.GetHashAndReset();
            Convert.TryToHexStringLower(head, hex, out _);
            _buffer.Write(hex);
            _buffer.WriteByte((byte)' ');
            _buffer.Write(bytes);
            _buffer.WriteByte((byte)'\n');
        }
        if (_length > 0 && _length + _buffer.Length > _segmentBytes) Roll();
        var start = _length;
        try
        {
            RandomAccess.Write(_current.SafeFileHandle, _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length), start);
            _current.Flush(flushToDisk: true);
            _length = start + _buffer.Length;
            _head = head;
        }
        catch
        {
            // Nothing of a failed batch may count as written: cut it off so the journal ends on a whole record.
            try { _current.SetLength(start); } catch (IOException) { }
            throw;
        }
        finally
        {
            if (_buffer.Capacity > 4 << 20) _buffer = new MemoryStream(); // one huge batch does not pin its buffer
        }
    }

    /// <summary>Reads whole records (the JSON, without the chain prefix) from <paramref name="from"/> up to <paramref name="to"/>.</summary>
    public static IEnumerable<(string Record, JournalPosition After)> Read(string directory, JournalPosition from, JournalPosition to)
    {
        foreach (var entry in ReadEntries(directory, from, to))
            yield return (Encoding.UTF8.GetString(entry.Json.Span), entry.After);
    }

    /// <summary>
    /// Reads whole records from <paramref name="from"/> up to <paramref name="to"/> as UTF-8 JSON with their positions,
    /// a megabyte at a time. An entry's <see cref="JournalEntry.Json"/> is only valid until the next one is read.
    /// </summary>
    public static IEnumerable<JournalEntry> ReadEntries(string directory, JournalPosition from, JournalPosition to)
    {
        foreach (var segment in Segments(directory).Where(s => s >= from.Segment && s <= to.Segment))
        {
            using var handle = File.OpenHandle(SegmentPath(directory, segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var limit = segment == to.Segment ? to.Offset : RandomAccess.GetLength(handle);
            // Pooled: the index reads the journal's tail every few tens of milliseconds, and a fresh megabyte each time
            // would be a large-object-heap allocation per pass.
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                var filled = 0;
                var bufferStart = segment == from.Segment ? from.Offset : 0; // the file offset of buffer[0]
                while (true)
                {
                    var consumed = 0;
                    int newline;
                    while ((newline = Array.IndexOf(buffer, (byte)'\n', consumed, filled - consumed)) >= 0)
                    {
                        if (newline - consumed < PrefixBytes)
                            throw new InvalidDataException($"Journal segment {segment} has a malformed record ending at byte {bufferStart + newline + 1}.");
                        yield return new JournalEntry(buffer.AsMemory(consumed + PrefixBytes, newline - consumed - PrefixBytes),
                            new JournalPosition(segment, bufferStart + consumed), new JournalPosition(segment, bufferStart + newline + 1));
                        consumed = newline + 1;
                    }
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                    bufferStart += consumed;
                    if (bufferStart + filled >= limit) break;
                    if (filled == buffer.Length)
                    {
                        // A record longer than the buffer: move to one twice the size.
                        var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, filled);
                        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var want = (int)Math.Min(buffer.Length - filled, limit - (bufferStart + filled));
                    var read = RandomAccess.Read(handle, buffer.AsSpan(filled, want), bufferStart + filled);
                    if (read == 0) break;
                    filled += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Opens a segment for reading records by position, or null when it is gone (pruned).</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenSegment(string directory, int segment)
    {
        try
        {
            return File.OpenHandle(SegmentPath(directory, segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The journal's directory.</summary>
    public string Location => _directory;

    private void Roll()
    {
        var next = _segment + 1;
        var path = SegmentPath(_directory, next);
        var stream = Open(path);
        try
        {
            Storage.FilePermissions.RestrictToOwner(path);
            // The new segment's name must be durable before a record in it is acknowledged: POSIX makes a new file's
            // directory entry durable only with an fsync of the directory (journaling file systems mostly do it anyway).
            Storage.DirectorySync.Sync(_directory);
        }
        catch
        {
            stream.Dispose(); // the journal stays on the old segment; the next batch tries again
            throw;
        }
        _current.Dispose();
        _current = stream;
        _segment = next;
        _length = 0;
    }

    private static FileStream Open(string path)
        => new(path, Storage.FilePermissions.OwnerOnly(new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        }));

    private static void TruncateTornTail(FileStream stream)
    {
        var length = stream.Length;
        var position = length;
        var one = new byte[1];
        while (position > 0)
        {
            stream.Seek(position - 1, SeekOrigin.Begin);
            stream.ReadExactly(one);
            if (one[0] == '\n') break;
            position--;
        }
        if (position != length) stream.SetLength(position);
    }

    private static byte[]? LastLink(string directory, List<int> segments)
    {
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var path = SegmentPath(directory, segments[i]);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length < PrefixBytes + 1) continue;
            // The last line starts after the previous newline; its first 64 bytes are the head link.
            var tail = new byte[(int)Math.Min(stream.Length, 1 << 20)];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            var end = tail.Length - 1;
            var start = tail.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
            return Convert.FromHexString(Encoding.ASCII.GetString(tail, start, 64));
        }
        return null;
    }

    /// <summary>The anchor of a pruned journal, or null when nothing was ever pruned.</summary>
    public static JournalAnchor? ReadAnchor(string directory)
    {
        var path = Path.Combine(directory, AnchorFile);
        return File.Exists(path) ? System.Text.Json.JsonSerializer.Deserialize<JournalAnchor>(File.ReadAllBytes(path)) : null;
    }

    /// <summary>Writes the anchor durably and atomically (a crash leaves the old anchor or the new one, whole).</summary>
    public static void WriteAnchor(string directory, JournalAnchor anchor)
    {
        var path = Path.Combine(directory, AnchorFile);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, Storage.FilePermissions.OwnerOnly(new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None })))
        {
            file.Write(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(anchor));
            file.Flush(flushToDisk: true);
        }
        Storage.FilePermissions.RestrictToOwner(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A segment's last record: its chain link (hex), its event time, how many records the segment holds, and its length.</summary>
    public static (string Link, DateTimeOffset EventTime, long Records, long Length)? LastRecord(string directory, int segment)
    {
        var bytes = File.ReadAllBytes(SegmentPath(directory, segment));
        if (bytes.Length == 0) return null;
        var records = bytes.AsSpan().Count((byte)'\n');
        var end = bytes.Length - 1;
        var start = bytes.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
        using var json = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(start + PrefixBytes, end - start - PrefixBytes));
        var time = DateTimeOffset.Parse(json.RootElement.GetProperty("eventTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return (Encoding.ASCII.GetString(bytes, start, 64), time, records, bytes.Length);
    }

    /// <summary>The segments of a journal directory, in order.</summary>
    public static List<int> Segments(string directory) => System.IO.Directory.Exists(directory)
        ? System.IO.Directory.EnumerateFiles(directory, "journal-*.log")
            .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["journal-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToList()
        : [];

    /// <summary>The file of a segment.</summary>
    public static string SegmentPath(string directory, int segment)
        => Path.Combine(directory, $"journal-{segment.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}.log");

    /// <inheritdoc />
    public void Dispose()
    {
        _current.Dispose();
        _chain.Dispose();
    }
}
