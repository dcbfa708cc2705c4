namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Labels failures that belong to defect classes known when the harness was written (issue 13) and being fixed
/// separately, so a report tells them from new ones. Only a label: a known failure still fails the run.
/// </summary>
internal static class KnownDefects
{
    public static string Label(FuzzFailure failure)
    {
        var request = failure.Request;
        var mutations = string.Join(" | ", request.Mutations);
        var log = failure.Class + " " + failure.Detail;
        var reason = request.MustReject ?? "";
        string? known = null;
        if (failure.Class.StartsWith("accepted", StringComparison.Ordinal))
        {
            if (reason.Contains("x-amz-* header", StringComparison.Ordinal)) known = "unsigned x-amz-* headers honoured";
            else if (reason.Contains("credential scope for region", StringComparison.Ordinal)) known = "credential-scope region not checked";
            else if (reason.Contains("leaves out host", StringComparison.Ordinal)) known = "presigned URLs without host in SignedHeaders";
            else if (reason.Contains("STREAMING-UNSIGNED-PAYLOAD-TRAILER", StringComparison.Ordinal)) known = "STREAMING-UNSIGNED-PAYLOAD-TRAILER without trailer";
            else if (reason.Contains("session", StringComparison.Ordinal)) known = "STS session binding";
        }
        else if (failure.Class.StartsWith("body read past its limit", StringComparison.Ordinal) && request.Path.StartsWith("/citadel/", StringComparison.Ordinal))
        {
            known = "admin/operator bodies read whole before the limit";
        }
        else if (IsServerFailure(failure) && (log.Contains("server log", StringComparison.Ordinal) || log.Contains("logged an error", StringComparison.Ordinal)))
        {
            // The server's own account of the failure decides.
            if (log.Contains("incomplete UTF-16", StringComparison.Ordinal) || log.Contains("at Citadel.Server.Protocols.ServiceModel", StringComparison.Ordinal)
                || log.Contains("at Citadel.Server.Protocols.WireJson", StringComparison.Ordinal) || log.Contains("at Citadel.Server.Hosting.RequestPipeline.Parse", StringComparison.Ordinal)
                || log.Contains("LookupEvents", StringComparison.Ordinal))
                known = "invalid UTF-8 / lone surrogates / out-of-range numbers in JSON give 500";
            else if (request.Service == "s3" && (log.Contains("XmlEncodedRawTextWriter", StringComparison.Ordinal) || log.Contains("Invalid non-ASCII or control character in header", StringComparison.Ordinal)))
                known = "S3 control characters in keys/version ids give 500 (XML writer; also the x-amz-version-id header echo)";
        }
        else if (IsServerFailure(failure) && request.Service is "kms" or "cloudtrail" or "iam" or "sts" or "citadel"
            && (mutations.Contains("\\x", StringComparison.Ordinal) || mutations.Contains("\\ud", StringComparison.OrdinalIgnoreCase)
                || mutations.Contains("e300", StringComparison.Ordinal) || mutations.Contains("E+309", StringComparison.Ordinal)
                || mutations.Contains("9223372036854775808", StringComparison.Ordinal) || mutations.Contains("99999999999999999999", StringComparison.Ordinal)
                || mutations.Contains("18446744073709551616", StringComparison.Ordinal) || mutations.Contains("123456789012345678901234567890", StringComparison.Ordinal)))
        {
            known = "invalid UTF-8 / lone surrogates / out-of-range numbers in JSON give 500 (by the mutation; no log line)";
        }
        else if (IsServerFailure(failure) && request.Service == "s3" && (mutations.Contains("key/id #0", StringComparison.Ordinal) || mutations.Contains("key/id #1", StringComparison.Ordinal)
            || mutations.Contains("key/id #6", StringComparison.Ordinal) || mutations.Contains("key/id #7", StringComparison.Ordinal)
            || mutations.Contains("bucket b\\x01b", StringComparison.Ordinal) || mutations.Contains("=%00", StringComparison.Ordinal)))
        {
            known = "S3 control characters in keys/version ids give 500 (by the mutation; no log line)";
        }
        return known is null ? "  [NOT in the known list]" : $"  [known: {known}]";
    }

    private static bool IsServerFailure(FuzzFailure failure)
        => failure.Class.StartsWith('5') || failure.Class.StartsWith("server error log", StringComparison.Ordinal) || failure.Class.Contains(" / ", StringComparison.Ordinal);
}
