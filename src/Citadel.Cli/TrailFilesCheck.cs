using System.CommandLine;
using Citadel.Audit.Trails;
using Citadel.Storage;

namespace Citadel.Cli;

/// <summary>
/// The delivered-files half of <c>citadel audit verify</c>: checks a local copy of a trail bucket (as
/// <c>aws s3 sync s3://bucket COPY</c> makes it) against the digest signing public keys of the data directory.
/// </summary>
internal static class TrailFilesCheck
{
    public static readonly Option<string?> TrailFiles = new("--trail-files")
    {
        Description = "Also verify delivered trail files in this local copy of the trail bucket (aws s3 sync s3://bucket DIR): digest chain, digest signatures, log file hashes.",
    };

    public static readonly Option<string?> Prefix = new("--prefix")
    {
        Description = "The trail's S3 key prefix in the copy (default: every trail's digests in the copy).",
    };

    /// <summary>Prints each problem and the summary; 0 when everything verified, 1 on a problem, 2 when there is nothing to verify.</summary>
    public static int Run(string dataDirectory, string copy, string? prefix)
    {
        var database = Path.Combine(dataDirectory, "metadata.db");
        if (!File.Exists(database))
        {
            Console.Error.WriteLine($"No metadata.db in {dataDirectory}: the digest signing public keys are read from it.");
            return 2;
        }
        if (!Directory.Exists(copy))
        {
            Console.Error.WriteLine($"No directory {copy}.");
            return 2;
        }
        // Read-only: the server may be running on this data directory, or it is a copy that must stay as it is.
        var keys = TrailSigningKeys.PublicKeysOf(SqliteDocumentStore.ReadCollection(database, TrailSigningKeys.Collection));
        var lastDigests = TrailRepository.LastDigestsOf(SqliteDocumentStore.ReadCollection(database, TrailRepository.DeliveryCollection));
        var report = DeliveredFilesVerifier.Verify(copy, prefix, keys, lastDigests);
        if (report.DigestFiles == 0)
        {
            Console.Error.WriteLine($"No digest files in {Path.Combine(copy, prefix ?? "")}: nothing to verify (is it a copy of the bucket's root?).");
            return 2;
        }
        foreach (var problem in report.Problems) Console.WriteLine(problem);
        foreach (var note in report.Notes) Console.WriteLine(note);
        Console.WriteLine((report.Valid ? "OK: " : "INVALID: ") + report.Summary + ".");
        return report.Valid ? 0 : 1;
    }
}
