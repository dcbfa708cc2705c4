using System.Collections.Concurrent;
using System.Text;
using Citadel.Crypto;

namespace Citadel.Audit.Trails;

/// <summary>What one delivery run did for one trail.</summary>
/// <param name="TrailName">The trail.</param>
/// <param name="LogFiles">Keys of the log files delivered.</param>
/// <param name="Digest">Key of the digest delivered, if one was.</param>
/// <param name="LogError">Why log delivery failed (it is retried on the next run).</param>
/// <param name="DigestError">Why digest delivery failed (retried on the next run).</param>
public sealed record TrailDeliveryOutcome(string TrailName, IReadOnlyList<string> LogFiles, string? Digest, string? LogError, string? DigestError);

/// <summary>
/// Delivers trails' log files and signed digests to their buckets, following the audit journal by position.
/// <list type="bullet">
/// <item>Log files: the records a trail's selectors select, from its cursor to the journal's end (or to where logging
/// stopped), at most <see cref="TrailSettings.MaxRecordsPerLogFile"/> per file, every <see cref="TrailSettings.LogFileInterval"/>.</item>
/// <item>Digests: every <see cref="TrailSettings.DigestInterval"/> while the trail logs with validation on (also with
/// no activity), and once more after that for files no digest lists yet.</item>
/// <item>Nothing is lost or changed: each file is recorded as pending (durably) before it is put, and committed
/// after; a failed or interrupted put is retried with the same key and the same content (a log file is rebuilt from
/// its journal range and must hash the same; a digest is kept whole, already signed).</item>
/// </list>
/// Runs are serialized (<see cref="TrailRepository.DeliveryLock"/>).
/// </summary>
public sealed class TrailDelivery(TrailRepository trails, IJournalSource journal, ITrailObjectSink sink, TrailSigningKeys keys,
    TrailSettings settings, TimeProvider time, IRandom random)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastLogRun = new(StringComparer.Ordinal);

    /// <summary>One trail's state during a run.</summary>
    private sealed class Run(TrailRecord trail, TrailDeliveryRecord state, long revision)
    {
        public TrailRecord Trail { get; } = trail;
        public TrailDeliveryRecord State { get; } = state;
        public long Revision { get; set; } = revision;
        public List<string> Delivered { get; } = [];
    }

    /// <summary>
    /// Delivers what is due for every trail; with <paramref name="force"/> (citadel audit flush), every pending
    /// record as log files and a digest for every trail that has digests, now.
    /// </summary>
    public async Task<IReadOnlyList<TrailDeliveryOutcome>> RunAsync(bool force, CancellationToken cancellationToken)
    {
        await trails.DeliveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var outcomes = new List<TrailDeliveryOutcome>();
            foreach (var trail in await trails.AllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await trails.FindDeliveryAsync(trail.Name, cancellationToken).ConfigureAwait(false) is not { } found) continue;
                outcomes.Add(await DeliverAsync(new Run(trail, found.Record, found.Revision), force, cancellationToken).ConfigureAwait(false));
            }
            return outcomes;
        }
        finally
        {
            trails.DeliveryLock.Release();
        }
    }

    private async Task<TrailDeliveryOutcome> DeliverAsync(Run run, bool force, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string? logError = null;
        string? digest = null;
        if (force || !_lastLogRun.TryGetValue(run.Trail.Name, out var last) || now - last >= settings.LogFileInterval)
        {
            _lastLogRun[run.Trail.Name] = now;
            logError = await AttemptAsync(run, () => DeliverLogFilesAsync(run, now, cancellationToken), error =>
            {
                run.State.LatestDeliveryAttemptTime = now;
                run.State.LatestDeliveryError = error;
            }, cancellationToken).ConfigureAwait(false);
        }
        var digestError = await AttemptAsync(run, async () => digest = await DeliverDigestAsync(run, now, force, cancellationToken).ConfigureAwait(false),
            error => run.State.LatestDigestDeliveryError = error, cancellationToken).ConfigureAwait(false);
        return new TrailDeliveryOutcome(run.Trail.Name, run.Delivered, digest, logError, digestError);
    }

    /// <summary>
    /// Runs one part of delivery (which saves its own progress); when it fails, records the error in the progress
    /// document, which keeps everything pending for the next run; returns the error.
    /// </summary>
    private async Task<string?> AttemptAsync(Run run, Func<Task> part, Action<string> recordError, CancellationToken cancellationToken)
    {
        try
        {
            await part().ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            recordError(e.Message);
            try
            {
                run.Revision = await trails.SaveDeliveryAsync(run.Trail.Name, run.State, run.Revision, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception saving) when (saving is not OperationCanceledException)
            {
                return e.Message + " (and the error could not be recorded: " + saving.Message + ")";
            }
            return e.Message;
        }
    }

    private async Task DeliverLogFilesAsync(Run run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = run.State;
        var trail = run.Trail;
        if (state.PendingLogFile is { } pending)
        {
            // Put again what was recorded: the same key, the same records (rebuilt from the same journal range).
            var (records, _) = Collect(trail, pending.Range.From, pending.Range.To, int.MaxValue);
            var content = TrailFiles.LogFile(records.Select(r => r.Json));
            if (TrailFiles.Sha256Hex(content) != pending.HashValue)
                throw new InvalidDataException($"The journal records of pending log file {pending.Key} no longer hash to {pending.HashValue}: the journal changed, and the file is not delivered with different content.");
            await PutLogFileAsync(pending, content, cancellationToken).ConfigureAwait(false);
            await CommitLogFileAsync(run, pending, now, cancellationToken).ConfigureAwait(false);
        }
        var limit = trail.StoppedAt ?? journal.End;
        while (state.Cursor.IsBefore(limit))
        {
            if (trail.Skipped.FirstOrDefault(r => r.Contains(state.Cursor)) is { } skipped)
            {
                // Recorded while the trail was not logging: step over the range without reading it.
                state.Cursor = skipped.To.IsBefore(limit) ? skipped.To : limit;
                continue;
            }
            var (records, to) = Collect(trail, state.Cursor, limit, settings.MaxRecordsPerLogFile);
            if (!state.Cursor.IsBefore(to))
                throw new InvalidDataException($"The audit journal has no records between segment {state.Cursor.Segment} byte {state.Cursor.Offset} and segment {limit.Segment} byte {limit.Offset}.");
            if (records.Count == 0)
            {
                state.Cursor = to;
                run.Revision = await trails.SaveDeliveryAsync(trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var content = TrailFiles.LogFile(records.Select(r => r.Json));
            var file = new PendingLogFile
            {
                Bucket = trail.S3BucketName,
                Key = TrailObjectKeys.LogFile(trail.S3KeyPrefix, settings, now, random.GetBytes(16)),
                Range = new JournalRange(state.Cursor, to),
                HashValue = TrailFiles.Sha256Hex(content),
                OldestEventTime = records.Min(r => r.Time),
                NewestEventTime = records.Max(r => r.Time),
                Digested = trail.LogFileValidationEnabled,
                KmsKeyId = trail.KmsKeyId,
            };
            state.PendingLogFile = file;
            run.Revision = await trails.SaveDeliveryAsync(trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
            await PutLogFileAsync(file, content, cancellationToken).ConfigureAwait(false);
            await CommitLogFileAsync(run, file, now, cancellationToken).ConfigureAwait(false);
        }
        state.LatestDeliveryAttemptTime = now;
        state.LatestDeliveryError = null;
        run.Revision = await trails.SaveDeliveryAsync(trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The records from <paramref name="from"/> to <paramref name="to"/> the trail selects, at most <paramref name="max"/>,
    /// and the position after the last record read.
    /// </summary>
    private (List<(string Json, DateTimeOffset Time)> Records, JournalPosition To) Collect(TrailRecord trail, JournalPosition from, JournalPosition to, int max)
    {
        var records = new List<(string, DateTimeOffset)>();
        var start = from;
        foreach (var (record, after) in journal.Read(from, to))
        {
            var recordStart = start;
            start = after;
            if (trail.Skipped.Any(r => r.Contains(recordStart))) continue;
            var facts = EventFacts.Of(record);
            if (!EventSelection.Selects(SelectionAt(trail, recordStart), facts)) continue;
            records.Add((record, facts.EventTime));
            if (records.Count >= max) break;
        }
        return (records, start);
    }

    private static SelectionPeriod SelectionAt(TrailRecord trail, JournalPosition position)
        => trail.Selection.LastOrDefault(p => !position.IsBefore(p.From)) ?? new SelectionPeriod { From = JournalPosition.Start };

    private Task PutLogFileAsync(PendingLogFile file, byte[] content, CancellationToken cancellationToken)
        => sink.PutObjectAsync(new TrailObject(file.Bucket, file.Key, TrailFiles.Gzip(content), TrailFiles.ContentType, TrailFiles.ContentEncoding,
            new Dictionary<string, string>(), file.KmsKeyId), cancellationToken);

    private async Task CommitLogFileAsync(Run run, PendingLogFile file, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = run.State;
        state.Cursor = file.Range.To;
        if (file.Digested)
        {
            state.Undigested.Add(new DeliveredLogFile
            {
                S3Bucket = file.Bucket,
                S3Object = file.Key,
                HashValue = file.HashValue,
                OldestEventTime = file.OldestEventTime,
                NewestEventTime = file.NewestEventTime,
            });
        }
        state.PendingLogFile = null;
        state.LatestDeliveryTime = now;
        state.LatestDeliveryError = null;
        run.Revision = await trails.SaveDeliveryAsync(run.Trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
        run.Delivered.Add(file.Key);
    }

    private async Task<string?> DeliverDigestAsync(Run run, DateTimeOffset now, bool force, CancellationToken cancellationToken)
    {
        var state = run.State;
        var trail = run.Trail;
        if (state.PendingDigest is { } pending)
        {
            await PutDigestAsync(pending, cancellationToken).ConfigureAwait(false);
            await CommitDigestAsync(run, pending, now, cancellationToken).ConfigureAwait(false);
            return pending.Link.Key;
        }
        if (!trail.DigestsActive && state.Undigested.Count == 0) return null;
        var end = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var start = state.LastDigest?.EndTime ?? trail.DigestsSince ?? trail.StartLoggingTime ?? end;
        if (start > end) start = end;
        // One digest per second at most, as its key is named to the second (the first may end in the second its
        // period began: a flush right after StartLogging); otherwise only once the interval has passed.
        if ((state.LastDigest is not null && end <= start) || (!force && end - start < settings.DigestInterval)) return null;

        var key = await keys.EnsureCurrentAsync(now, cancellationToken).ConfigureAwait(false);
        var digestKey = TrailObjectKeys.Digest(trail.S3KeyPrefix, settings, trail.Name, end);
        var files = state.Undigested.ToList();
        var json = DigestFile.Build(settings.AccountId, start, end, trail.S3BucketName, digestKey, key.Fingerprint, state.LastDigest, files);
        var content = Encoding.UTF8.GetBytes(json);
        var signature = await keys.SignAsync(key.Fingerprint,
            DigestFile.SigningString(end, trail.S3BucketName, digestKey, content, state.LastDigest?.Signature), cancellationToken).ConfigureAwait(false);
        var digest = new PendingDigest
        {
            Link = new DigestLink
            {
                Bucket = trail.S3BucketName,
                Key = digestKey,
                Signature = Convert.ToHexStringLower(signature),
                HashValue = TrailFiles.Sha256Hex(content),
                EndTime = end,
            },
            Content = json,
            LogFileKeys = files.Select(f => f.S3Object).ToList(),
            KmsKeyId = trail.KmsKeyId,
        };
        state.PendingDigest = digest;
        run.Revision = await trails.SaveDeliveryAsync(trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
        await PutDigestAsync(digest, cancellationToken).ConfigureAwait(false);
        await CommitDigestAsync(run, digest, now, cancellationToken).ConfigureAwait(false);
        return digestKey;
    }

    private Task PutDigestAsync(PendingDigest digest, CancellationToken cancellationToken)
        => sink.PutObjectAsync(new TrailObject(digest.Link.Bucket, digest.Link.Key, TrailFiles.Gzip(Encoding.UTF8.GetBytes(digest.Content)),
            TrailFiles.ContentType, TrailFiles.ContentEncoding, new Dictionary<string, string>
            {
                ["signature"] = digest.Link.Signature,
                ["signature-algorithm"] = DigestFile.SignatureAlgorithm,
            }, digest.KmsKeyId), cancellationToken);

    private async Task CommitDigestAsync(Run run, PendingDigest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = run.State;
        var listed = digest.LogFileKeys.ToHashSet(StringComparer.Ordinal);
        state.Undigested.RemoveAll(f => listed.Contains(f.S3Object));
        state.LastDigest = digest.Link;
        state.PendingDigest = null;
        state.LatestDigestDeliveryTime = now;
        state.LatestDigestDeliveryError = null;
        run.Revision = await trails.SaveDeliveryAsync(run.Trail.Name, state, run.Revision, cancellationToken).ConfigureAwait(false);
    }
}
