using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Citadel.Audit.Trails;

/// <summary>
/// Verifies delivered trail files offline, from a local copy of the bucket (as <c>aws s3 sync s3://bucket COPY</c>
/// makes it: each object at <c>COPY/{key}</c>), with the checks of <c>aws cloudtrail validate-logs</c>:
/// <list type="bullet">
/// <item>each digest's chain link: <c>previousDigestS3Object</c> names the digest before it in the copy, and
/// <c>previousDigestHashValue</c> is the SHA-256 of that digest's uncompressed content;</item>
/// <item>each digest's signature, which a copy has only as the next digest's <c>previousDigestSignature</c> (the
/// object metadata that carries the newest one is lost), over <see cref="DigestFile.SigningString"/>;</item>
/// <item>each listed log file: present, and its uncompressed content hashes to <c>hashValue</c>.</item>
/// </list>
/// Digests are chained per trail (account, region, trail name and prefix), in the order of the time in their names.
/// </summary>
public static partial class DeliveredFilesVerifier
{
    private const string NewestNote = "signature not checkable offline (signature is in S3 metadata)";

    /// <summary>A digest of the copy: its key, uncompressed content and parsed JSON, or why it could not be read.</summary>
    private sealed record Digest(string Key, byte[]? Content, JsonElement Data, string? Error);

    [GeneratedRegex(@"^(?<chain>(?:.+/)?AWSLogs/[^/]+/CloudTrail-Digest/[^/]+)/\d{4}/\d{2}/\d{2}/(?<name>[^/]+)_(?<time>\d{8}T\d{6}Z)\.json\.gz$")]
    private static partial Regex DigestKey();

    /// <summary>
    /// Verifies the digests under <paramref name="prefix"/> (the trail's S3KeyPrefix; every digest of the copy when
    /// null) in the bucket copy <paramref name="directory"/>, with the digest signing public <paramref name="keys"/> (found by fingerprint).
    /// <paramref name="lastDigests"/> (each trail's last delivered digest, from the data directory's delivery records)
    /// let the newest digest of a chain be checked too: its signature and hash are recorded there.
    /// </summary>
    public static DeliveredFilesReport Verify(string directory, string? prefix, IReadOnlyList<TrailPublicKey> keys, IReadOnlyList<DigestLink>? lastDigests = null)
    {
        var root = Path.GetFullPath(directory);
        var under = string.IsNullOrEmpty(prefix) ? root : Path.Combine(root, prefix.Trim('/'));
        var chains = (Directory.Exists(under) ? Directory.EnumerateFiles(under, "*.json.gz", SearchOption.AllDirectories) : [])
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Select(k => (Key: k, Match: DigestKey().Match(k)))
            .Where(k => k.Match.Success)
            .GroupBy(k => k.Match.Groups["chain"].Value + "/" + k.Match.Groups["name"].Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var run = new Run(root, keys.DistinctBy(k => k.Fingerprint, StringComparer.Ordinal).ToDictionary(k => k.Fingerprint, StringComparer.Ordinal), lastDigests ?? []);
        foreach (var chain in chains)
            run.Chain(chain.OrderBy(k => k.Match.Groups["time"].Value, StringComparer.Ordinal).Select(k => run.Load(k.Key)).ToList());
        run.LastDigestsMissing(under);
        return run.Report();
    }

    /// <summary>One verification: what it found so far.</summary>
    private sealed class Run(string root, Dictionary<string, TrailPublicKey> keys, IReadOnlyList<DigestLink> lastDigests)
    {
        private readonly List<DeliveredFileProblem> _problems = [];
        private readonly List<string> _notes = [];
        private readonly HashSet<string> _digests = new(StringComparer.Ordinal);
        private readonly HashSet<string> _invalidDigests = new(StringComparer.Ordinal);
        private int _logFiles;
        private int _invalidLogFiles;

        public DeliveredFilesReport Report()
            => new(_problems, _notes, _digests.Count, _digests.Count - _invalidDigests.Count, _logFiles, _logFiles - _invalidLogFiles);

        public Digest Load(string key)
        {
            _digests.Add(key);
            try
            {
                var content = TrailFiles.Gunzip(File.ReadAllBytes(PathOf(key)));
                using var document = JsonDocument.Parse(content);
                return new Digest(key, content, document.RootElement.Clone(), null);
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
            {
                return new Digest(key, null, default, "invalid format: " + e.Message);
            }
        }

        /// <summary>Checks one trail's digests, oldest first.</summary>
        public void Chain(List<Digest> digests)
        {
            for (var i = 0; i < digests.Count; i++)
            {
                var digest = digests[i];
                if (digest.Error is not null)
                {
                    DigestProblem(digest.Key, digest.Error);
                    continue;
                }
                if (Text(digest.Data, "digestS3Object") != digest.Key)
                    DigestProblem(digest.Key, $"has been moved from its original location {Text(digest.Data, "digestS3Object")}");
                Link(digest, i > 0 ? digests[i - 1] : null);
                Signature(digest, i + 1 < digests.Count ? digests[i + 1] : null);
                LogFiles(digest);
            }
        }

        /// <summary>Checks that <paramref name="digest"/> names <paramref name="before"/> (the digest before it in the copy) and its hash.</summary>
        private void Link(Digest digest, Digest? before)
        {
            var previous = Text(digest.Data, "previousDigestS3Object");
            if (previous is null)
            {
                // A new chain (a trail deleted and created again under the same name): validate-logs reports a gap, not a failure.
                if (before is not null) _notes.Add($"Digest file\t{digest.Key}\tstarts a new chain (it names no previous digest; {before.Key} comes before it)");
                return;
            }
            if (previous != before?.Key)
            {
                // The digest it names is gone (deleted, or the copy is incomplete), or another one sits in its place.
                if (!File.Exists(PathOf(previous)))
                {
                    _digests.Add(previous);
                    DigestProblem(previous, $"not found (chain broken: {digest.Key} names it as its previous digest)");
                }
                else
                {
                    DigestProblem(digest.Key, $"chain broken: it names previous digest {previous}, but the digest before it is {before?.Key ?? "none"}");
                }
                return;
            }
            if (before.Content is not null && TrailFiles.Sha256Hex(before.Content) != Text(digest.Data, "previousDigestHashValue"))
                DigestProblem(before.Key, $"modified: its hash does not match previousDigestHashValue in {digest.Key}");
        }

        /// <summary>
        /// Checks the signature of <paramref name="digest"/>, which the copy has only in the digest after it, or, for the
        /// newest, in the data directory's record of the trail's last delivered digest.
        /// </summary>
        private void Signature(Digest digest, Digest? after)
        {
            string? signature;
            string badSignature;
            if (after is null)
            {
                // The newest digest of the copy: its signature is in S3 metadata, which a copy loses. When it is the trail's
                // last delivered digest, the data directory recorded its signature and hash at delivery.
                var bucket = Text(digest.Data, "digestS3Bucket");
                if (lastDigests.FirstOrDefault(l => l.Key == digest.Key && l.Bucket == bucket) is not { } recorded)
                {
                    _notes.Add($"Digest file\t{digest.Key}\t{NewestNote}" + (lastDigests.Count > 0 ? "; the data directory records another digest as its trail's latest" : ""));
                    return;
                }
                if (TrailFiles.Sha256Hex(digest.Content!) != recorded.HashValue)
                    DigestProblem(digest.Key, "modified: its hash does not match the one the data directory recorded when it was delivered");
                signature = recorded.Signature;
                badSignature = "bad signature: the digest does not verify with the signature the data directory recorded when it was delivered";
            }
            else if (after.Error is not null || Text(after.Data, "previousDigestS3Object") != digest.Key)
            {
                // The next digest does not carry this one's signature: it starts a new chain, or its broken link is reported.
                _notes.Add($"Digest file\t{digest.Key}\tsignature not checkable offline: the next digest does not link to it (signature is in S3 metadata)");
                return;
            }
            else
            {
                signature = Text(after.Data, "previousDigestSignature");
                badSignature = "bad signature: the digest or the signature in " + after.Key + " was modified";
            }
            var fingerprint = Text(digest.Data, "digestPublicKeyFingerprint") ?? "";
            if (!keys.TryGetValue(fingerprint, out var key))
                DigestProblem(digest.Key, $"public key not found for fingerprint {fingerprint}");
            else if (!SignatureValid(digest, key, signature))
                DigestProblem(digest.Key, badSignature);
        }

        /// <summary>
        /// A trail's last delivered digest that lies under what was verified but is not in the copy: deleted, or delivered
        /// after the copy was made. A note, not a failure, since a copy older than the trail is no forgery.
        /// </summary>
        public void LastDigestsMissing(string under)
        {
            foreach (var link in lastDigests)
            {
                if (_digests.Contains(link.Key) || !PathOf(link.Key).StartsWith(under, StringComparison.Ordinal) || File.Exists(PathOf(link.Key))) continue;
                if (!_digests.Any(d => SameChain(d, link.Key))) continue; // another bucket's or another trail's digest
                _notes.Add($"Digest file\t{link.Key}\tnot in the copy, yet the data directory records it as the trail's latest delivered digest (deleted, or delivered after the copy was made)");
            }
        }

        private static bool SameChain(string a, string b)
        {
            var (x, y) = (DigestKey().Match(a), DigestKey().Match(b));
            return x.Success && y.Success && x.Groups["chain"].Value == y.Groups["chain"].Value && x.Groups["name"].Value == y.Groups["name"].Value;
        }

        private static bool SignatureValid(Digest digest, TrailPublicKey key, string? signatureHex)
        {
            try
            {
                var end = DateTimeOffset.ParseExact(Text(digest.Data, "digestEndTime") ?? "", "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                var signed = DigestFile.SigningString(end, Text(digest.Data, "digestS3Bucket") ?? "", Text(digest.Data, "digestS3Object") ?? "",
                    digest.Content!, Text(digest.Data, "previousDigestSignature"));
                using var rsa = RSA.Create();
                rsa.ImportRSAPublicKey(key.Value, out _);
                return rsa.VerifyData(signed, Convert.FromHexString(signatureHex ?? ""), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                return false;
            }
        }

        private void LogFiles(Digest digest)
        {
            if (!digest.Data.TryGetProperty("logFiles", out var files) || files.ValueKind != JsonValueKind.Array) return;
            foreach (var file in files.EnumerateArray())
            {
                _logFiles++;
                var key = Text(file, "s3Object") ?? "";
                var problem = LogFileProblem(key, Text(file, "hashValue"));
                if (problem is null) continue;
                _invalidLogFiles++;
                _problems.Add(new DeliveredFileProblem(false, key, problem));
            }
        }

        private string? LogFileProblem(string key, string? hashValue)
        {
            var path = PathOf(key);
            if (key.Length == 0 || !File.Exists(path)) return "not found";
            try
            {
                return TrailFiles.Sha256Hex(TrailFiles.Gunzip(File.ReadAllBytes(path))) == hashValue ? null : "modified: hash value doesn't match";
            }
            catch (InvalidDataException)
            {
                return "invalid format (not gzip)";
            }
        }

        private void DigestProblem(string key, string problem)
        {
            _invalidDigests.Add(key);
            _problems.Add(new DeliveredFileProblem(true, key, problem));
        }

        /// <summary>The file of a key; "" (which exists nowhere) for a key that climbs out of the copy, as a forged digest could name.</summary>
        private string PathOf(string key)
        {
            var path = Path.GetFullPath(Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar)));
            return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : "";
        }
    }

    private static string? Text(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
