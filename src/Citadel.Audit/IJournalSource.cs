namespace Citadel.Audit;

/// <summary>
/// Read access to the durable audit journal, for consumers that follow it by position (trail delivery):
/// where it ends now, and its whole records between two positions, in the order they became durable.
/// </summary>
public interface IJournalSource
{
    /// <summary>The position just after the last durable record.</summary>
    JournalPosition End { get; }

    /// <summary>The records (CloudTrail JSON, one line each) from <paramref name="from"/> up to <paramref name="to"/>, each with the position just after it.</summary>
    IEnumerable<(string Record, JournalPosition After)> Read(JournalPosition from, JournalPosition to);
}
