using Citadel.ObjectStore;

namespace Citadel.Server.Services.S3;

/// <summary>
/// The flexible checksums a request declares for its body, as S3 reads them: a value in an
/// <c>x-amz-checksum-&lt;algorithm&gt;</c> header, or a name in <c>x-amz-trailer</c> whose value follows the body
/// (aws-chunked); <c>x-amz-sdk-checksum-algorithm</c> only says which algorithm the client used, and S3 refuses it
/// when no value is on its way. Every declared value is checked against the body: by the object layer for uploads,
/// here for the small XML bodies of configuration requests.
/// </summary>
public static class RequestChecksums
{
    private const string Prefix = "x-amz-checksum-";

    /// <summary>
    /// The lower-case trailer names of an x-amz-trailer header (none when absent); InvalidRequest, with S3's message,
    /// for a name that is not a supported checksum.
    /// </summary>
    public static IReadOnlyList<string> TrailerNames(string? header)
    {
        if (string.IsNullOrEmpty(header)) return [];
        var names = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).Distinct().ToList();
        foreach (var name in names)
        {
            if (AlgorithmOf(name) is null)
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "The value specified in the x-amz-trailer header is not supported");
        }
        return names;
    }

    /// <summary>
    /// The algorithms to compute over an upload (PutObject, UploadPart), and (after the body) the values the client
    /// declared in headers or trailers, for the object layer to compare.
    /// </summary>
    public static (List<string> Algorithms, Func<IReadOnlyDictionary<string, string>> Expected) ForUpload(S3Request request)
    {
        var declared = HeaderValues(request);
        var algorithms = declared.Keys.ToList();
        var trailers = TrailerNames(request.Header("x-amz-trailer"));
        algorithms.AddRange(trailers.Select(name => AlgorithmOf(name)!));
        if (request.Header("x-amz-sdk-checksum-algorithm") is { } named)
        {
            var upper = named.ToUpperInvariant();
            if (!ObjectChecksums.Algorithms.Contains(upper))
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, $"Checksum algorithm {named} is not supported.");
            // The client computed a checksum and sent it nowhere: S3 does not store a checksum nobody verified.
            if (declared.Count == 0 && trailers.Count == 0)
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest,
                    "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
            algorithms.Add(upper);
        }
        return (algorithms, () => Expected(request, declared, trailers));
    }

    /// <summary>Checks a small body read whole against every checksum the request declared (BadDigest on a mismatch).</summary>
    public static void VerifySmallBody(S3Request request, byte[] body)
    {
        var trailers = TrailerNames(request.Header("x-amz-trailer"));
        var expected = Expected(request, HeaderValues(request), trailers);
        if (expected.Count == 0) return;
        using var sums = new ObjectChecksums(expected.Keys);
        sums.Append(body);
        foreach (var (algorithm, value) in expected)
        {
            if (sums.Value(algorithm) != value)
                throw new ObjectStoreException(ObjectStoreError.BadDigest, $"The {algorithm} you specified did not match the calculated checksum.");
        }
    }

    /// <summary>The declared values once the body was read: headers, then the trailers x-amz-trailer named.</summary>
    private static Dictionary<string, string> Expected(S3Request request, Dictionary<string, string> headers, IReadOnlyList<string> trailers)
    {
        var expected = new Dictionary<string, string>(headers, StringComparer.Ordinal);
        var arrived = request.Trailers();
        foreach (var name in trailers)
        {
            // An aws-chunked body refuses a missing trailer itself; any other body cannot carry one.
            if (!arrived.TryGetValue(name, out var value))
                throw new ObjectStoreException(ObjectStoreError.MalformedTrailer,
                    "The request contained trailing data that was not well-formed or did not conform to our published schema.");
            expected[AlgorithmOf(name)!] = value;
        }
        return expected;
    }

    private static Dictionary<string, string> HeaderValues(S3Request request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var algorithm in ObjectChecksums.Algorithms)
        {
            if (request.Header(Prefix + algorithm.ToLowerInvariant()) is { } value) values[algorithm] = value;
        }
        return values;
    }

    /// <summary>The algorithm a lower-case x-amz-checksum-* name stands for, or null.</summary>
    private static string? AlgorithmOf(string name)
        => name.StartsWith(Prefix, StringComparison.Ordinal) && ObjectChecksums.Algorithms.Contains(name[Prefix.Length..].ToUpperInvariant())
            ? name[Prefix.Length..].ToUpperInvariant()
            : null;
}
