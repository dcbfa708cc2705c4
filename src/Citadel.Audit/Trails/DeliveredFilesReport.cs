namespace Citadel.Audit.Trails;

/// <summary>A problem with one delivered file, named by its key in the bucket.</summary>
/// <param name="IsDigest">Whether the file is a digest file (otherwise a log file).</param>
/// <param name="Key">The file's key (its path in the copy of the bucket).</param>
/// <param name="Problem">What is wrong: not found, modified, chain broken, bad signature, ...</param>
public sealed record DeliveredFileProblem(bool IsDigest, string Key, string Problem)
{
    /// <summary>The problem as <c>aws cloudtrail validate-logs</c> words it: <c>Digest file\tKEY\tINVALID: ...</c>.</summary>
    public override string ToString() => $"{(IsDigest ? "Digest file" : "Log file")}\t{Key}\tINVALID: {Problem}";
}

/// <summary>The outcome of verifying delivered trail files offline.</summary>
/// <param name="Problems">Every problem found, digests in chain order then their log files.</param>
/// <param name="Notes">What could not be checked offline (not a failure), such as the newest digest's signature.</param>
/// <param name="DigestFiles">Digest files checked, counting those a later digest names but the copy lacks.</param>
/// <param name="ValidDigestFiles">Digest files with no problem.</param>
/// <param name="LogFiles">Log files the digests list.</param>
/// <param name="ValidLogFiles">Listed log files present with the hash their digest records.</param>
public sealed record DeliveredFilesReport(IReadOnlyList<DeliveredFileProblem> Problems, IReadOnlyList<string> Notes,
    int DigestFiles, int ValidDigestFiles, int LogFiles, int ValidLogFiles)
{
    /// <summary>Whether every file verified.</summary>
    public bool Valid => Problems.Count == 0;

    /// <summary>The summary line validate-logs prints: <c>N/N digest files valid, M/M log files valid</c>.</summary>
    public string Summary => $"{ValidDigestFiles}/{DigestFiles} digest files valid, {ValidLogFiles}/{LogFiles} log files valid";
}
