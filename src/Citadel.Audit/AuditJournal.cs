using System.Text;

namespace Citadel.Audit;

/// <summary>A position in the journal: segment number and byte offset.</summary>
public sealed record JournalPosition(int Segment, long Offset)
{
    /// <summary>Whether this position comes before <paramref name="other"/>.</summary>
    public bool IsBefore(JournalPosition other) => Segment != other.Segment ? Segment < other.Segment : Offset < other.Offset;
}

/// <summary>
/// The durable audit journal: append-only segment files (<c>journal-000001.log</c>, ...) of one
/// CloudTrail JSON record per line. A batch is written and fsynced before any of its requests is
/// answered. At open, an incomplete last line (a write cut by a crash, never acknowledged) is cut off.
/// </summary>
public sealed class AuditJournal : IDisposable
{
    /// <summary>Segments roll over at this size.</summary>
    public const long SegmentBytes = 64L << 20;

    private readonly string _directory;
    private FileStream _current;
    private int _segment;

    /// <summary>Opens the journal in <paramref name="directory"/>, repairing a torn tail.</summary>
    public AuditJournal(string directory)
    {
        _directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        var segments = Segments(directory);
        _segment = segments.Count == 0 ? 1 : segments[^1];
        var path = SegmentPath(directory, _segment);
        _current = Open(path);
        TruncateTornTail(_current);
        _current.Seek(0, SeekOrigin.End);
        Storage.FilePermissions.RestrictToOwner(path);
    }

    /// <summary>The position just after the last durable record.</summary>
    public JournalPosition End => new(_segment, _current.Length);

    /// <summary>Appends records (each one line of JSON, without newline) and fsyncs them.</summary>
    public void Append(IReadOnlyList<string> records)
    {
        var buffer = new MemoryStream();
        foreach (var record in records)
        {
            var bytes = Encoding.UTF8.GetBytes(record);
            if (bytes.AsSpan().IndexOf((byte)'\n') >= 0) throw new ArgumentException("A journal record must be one line.", nameof(records));
            buffer.Write(bytes);
            buffer.WriteByte((byte)'\n');
        }
        if (_current.Length > 0 && _current.Length + buffer.Length > SegmentBytes) Roll();
        var start = _current.Length;
        try
        {
            _current.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _current.Flush(flushToDisk: true);
        }
        catch
        {
            // Nothing of a failed batch may count as written: cut it off so the journal ends on a whole record.
            try { _current.SetLength(start); _current.Seek(start, SeekOrigin.Begin); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Reads whole records from <paramref name="from"/> up to <paramref name="to"/>.</summary>
    public static IEnumerable<(string Record, JournalPosition After)> Read(string directory, JournalPosition from, JournalPosition to)
    {
        foreach (var segment in Segments(directory).Where(s => s >= from.Segment && s <= to.Segment))
        {
            var offset = segment == from.Segment ? from.Offset : 0;
            using var stream = new FileStream(SegmentPath(directory, segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var limit = segment == to.Segment ? to.Offset : stream.Length;
            stream.Seek(offset, SeekOrigin.Begin);
            var line = new MemoryStream();
            while (offset < limit)
            {
                var b = stream.ReadByte();
                if (b < 0) break;
                offset++;
                if (b != '\n')
                {
                    line.WriteByte((byte)b);
                    continue;
                }
                yield return (Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length), new JournalPosition(segment, offset));
                line.SetLength(0);
            }
        }
    }

    /// <summary>The journal's directory.</summary>
    public string Location => _directory;

    private void Roll()
    {
        _current.Dispose();
        _segment++;
        var path = SegmentPath(_directory, _segment);
        _current = Open(path);
        Storage.FilePermissions.RestrictToOwner(path);
    }

    private static FileStream Open(string path)
        => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);

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

    private static List<int> Segments(string directory) => System.IO.Directory.Exists(directory)
        ? System.IO.Directory.EnumerateFiles(directory, "journal-*.log")
            .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["journal-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToList()
        : [];

    private static string SegmentPath(string directory, int segment)
        => Path.Combine(directory, $"journal-{segment.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}.log");

    /// <inheritdoc />
    public void Dispose() => _current.Dispose();
}
