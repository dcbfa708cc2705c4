using System.Diagnostics;
using System.Threading.Channels;

namespace Citadel.Audit;

/// <summary>
/// The embedded audit store: a durable append-only journal on the request path, and a lookup index
/// built from it in the background.
/// <list type="bullet">
/// <item>Group commit: concurrent requests' events are appended in one write and one fsync; each request
/// continues only after its event is on disk (fail closed: if the write fails, every request of the
/// batch gets an error, and the journal is cut back to its last whole record).</item>
/// <item>The index (<see cref="AuditIndex"/>) trails the journal by milliseconds; a lookup first brings it
/// up to date, so a caller always finds its own earlier calls.</item>
/// </list>
/// </summary>
public sealed class JournalAuditStore : IAuditStore, IJournalSource
{
    private const int MaxBatch = 1024;
    private const int IndexChunk = 2000;
    private readonly AuditJournal _journal;
    private readonly AuditIndex _index;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _indexSignal = new(0);
    private readonly Lock _indexLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writerLoop;
    private readonly Task _indexLoop;
    private JournalPosition _durableEnd = new(1, 0);
    private long _batches;
    private long _events;
    private long _batchMicros;
    private int _disposed;

    /// <summary>A request's record (the first <paramref name="Length"/> bytes of a pooled array) and its waiter.</summary>
    private sealed record Pending(byte[] Body, int Length, TaskCompletionSource Done);

    /// <summary>Opens (creating when needed) the store in <paramref name="directory"/> and starts its writer and indexer.</summary>
    public JournalAuditStore(string directory, long segmentBytes = AuditJournal.SegmentBytes)
    {
        Storage.FilePermissions.CreatePrivateDirectory(directory);
        _journal = new AuditJournal(directory, segmentBytes);
        _index = new AuditIndex(Path.Combine(directory, "index.db"));
        _durableEnd = _journal.End;
        CatchUp();
        _writerLoop = Task.Run(WriteLoopAsync);
        _indexLoop = Task.Run(IndexLoopAsync);
    }

    /// <summary>Committed batches, events, and seconds spent writing them, for /metrics.</summary>
    public (long Batches, long Events, double Seconds) Statistics => (Interlocked.Read(ref _batches), Interlocked.Read(ref _events), Interlocked.Read(ref _batchMicros) / 1e6);

    /// <inheritdoc />
    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        // No RunContinuationsAsynchronously: the writer, already running, carries each waiting request on from the
        // commit (to its next await: writing the response) instead of waking a pool thread per request; on this VM
        // that is ~8 us of CPU per request, and 5-10 % more requests per second (docs/benchmarks.md).
        var body = auditEvent.RentUtf8Json(out var length);
        var pending = new Pending(body, length, new TaskCompletionSource());
        if (!_queue.Writer.TryWrite(pending))
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(body);
            throw new AuditUnavailableException("The audit store is shut down.");
        }
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var bodies = new List<ReadOnlyMemory<byte>>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            bodies.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
                bodies.Add(item.Body.AsMemory(0, item.Length));
            }
            if (batch.Count == 0) continue;
            AuditUnavailableException? failure = null;
            try
            {
                var started = Stopwatch.GetTimestamp();
                _journal.Append(bodies);
                Volatile.Write(ref _durableEnd, _journal.End);
                Interlocked.Add(ref _batchMicros, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _events, batch.Count);
                if (_indexSignal.CurrentCount == 0) _indexSignal.Release();
            }
            catch (Exception ex)
            {
                // Fail closed; the loop lives on, so service resumes when the disk does.
                failure = new AuditUnavailableException("The audit trail could not record the request: " + ex.Message, ex);
            }
            foreach (var item in batch) System.Buffers.ArrayPool<byte>.Shared.Return(item.Body);
            // Outside the try: the requests' continuations run here (see AppendAsync), and nothing they do may turn a
            // durable batch into a failed one.
            foreach (var item in batch)
            {
                if (failure is null) item.Done.TrySetResult();
                else item.Done.TrySetException(failure);
            }
        }
    }

    private async Task IndexLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _indexSignal.WaitAsync(TimeSpan.FromSeconds(1), _stopping.Token).ConfigureAwait(false);
                // Let a few batches gather: indexing thousands of events per transaction is far cheaper than one.
                await Task.Delay(50, _stopping.Token).ConfigureAwait(false);
                CatchUp();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // The index is derived; a failed pass is retried on the next signal or second.
            }
        }
    }

    /// <summary>Indexes every durable journal record not yet indexed.</summary>
    private void CatchUp()
    {
        lock (_indexLock)
        {
            var to = Volatile.Read(ref _durableEnd);
            while (true)
            {
                var from = _index.Position();
                if (!from.IsBefore(to)) return;
                if (_index.Apply(AuditJournal.ReadEntries(_journal.Location, from, to), IndexChunk) == 0) return;
            }
        }
    }

    /// <inheritdoc />
    public JournalPosition End => Volatile.Read(ref _durableEnd);

    /// <inheritdoc />
    public IEnumerable<(string Record, JournalPosition After)> Read(JournalPosition from, JournalPosition to) => AuditJournal.Read(_journal.Location, from, to);

    /// <inheritdoc />
    public Task<AuditPage> LookupAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        CatchUp();
        return Task.FromResult(_index.Lookup(query));
    }

    /// <summary>
    /// Applies a retention: events older than <paramref name="cutoff"/> leave the lookup index, and whole journal
    /// segments are pruned from the oldest on while a segment's last record is older than the cutoff, the segment ends
    /// at or before <paramref name="keepFrom"/> (what trails still have to deliver) and the index has read it; never
    /// the segment being written. Before deleting, it writes the anchor (the last pruned record's chain link), so the
    /// kept records still verify. Returns how many journal records were pruned.
    /// </summary>
    public long Prune(DateTimeOffset cutoff, JournalPosition? keepFrom)
    {
        lock (_indexLock)
        {
            CatchUp();
            var indexed = _index.Position();
            var segments = AuditJournal.Segments(_journal.Location);
            var anchor = AuditJournal.ReadAnchor(_journal.Location);
            var link = anchor?.Link ?? new string('0', 64);
            var pruned = new List<int>();
            long records = 0;
            foreach (var segment in segments.Take(segments.Count - 1))
            {
                if (anchor is not null && segment < anchor.Segment)
                {
                    // Pruned already: a crash came between the anchor and the deletion.
                    File.Delete(AuditJournal.SegmentPath(_journal.Location, segment));
                    continue;
                }
                if (AuditJournal.LastRecord(_journal.Location, segment) is { } last)
                {
                    var end = new JournalPosition(segment, last.Length);
                    if (last.EventTime >= cutoff || (keepFrom is not null && keepFrom < end) || indexed < end) break;
                    link = last.Link;
                    records += last.Records;
                }
                pruned.Add(segment);
            }
            _index.PruneBefore(cutoff, pruned.Count == 0 ? 0 : pruned[^1] + 1);
            if (pruned.Count == 0) return 0;
            // The anchor goes first: a crash after it but before every deletion leaves segments the verifier skips.
            AuditJournal.WriteAnchor(_journal.Location, new JournalAnchor(pruned[^1] + 1, link, (anchor?.Records ?? 0) + records));
            foreach (var segment in pruned) File.Delete(AuditJournal.SegmentPath(_journal.Location, segment));
            return records;
        }
    }

    /// <inheritdoc />
    public Task<StoredEvent?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken = default)
    {
        CatchUp();
        return Task.FromResult(_index.FindByRequestId(requestId));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // Drain: everything accepted before shutdown is written before we return.
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _indexLoop.ConfigureAwait(false);
        CatchUp();
        _journal.Dispose();
        _stopping.Dispose();
        _indexSignal.Dispose();
    }
}
