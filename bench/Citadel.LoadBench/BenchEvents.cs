using Citadel.Audit;

namespace Citadel.LoadBench;

/// <summary>The audit event the audit benchmarks record: a realistic KMS Encrypt by the root, with fresh ids each call.</summary>
internal static class BenchEvents
{
    public static AuditEvent Encrypt() => new()
    {
        EventId = Guid.CreateVersion7().ToString(), // as the server makes them: time-ordered (the index keeps their time ranges)
        EventTime = DateTimeOffset.UtcNow,
        EventSource = "kms.amazonaws.com",
        EventName = "Encrypt",
        AwsRegion = "us-east-1",
        SourceIpAddress = "127.0.0.1",
        UserAgent = "aws-sdk-dotnet-coreclr/4.0.0 ua/2.1 os/linux md/arch#x64 lang/.NET_Core#10.0 exec-env#none m/b,D",
        UserIdentity = new AuditIdentity("Root", "000000000000", "arn:aws:iam::000000000000:root", "000000000000", "AKIACITADELBENCH0001", null),
        RequestParameters = System.Text.Json.Nodes.JsonNode.Parse("""{"keyId":"alias/app","encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"tenant":"bench"}}"""),
        RequestId = Guid.CreateVersion7().ToString(),
        ReadOnly = true,
        Resources = [new AuditResource("AWS::KMS::Key", "arn:aws:kms:us-east-1:000000000000:key/0b1e3c2a-5d7f-4a8b-9c0d-1e2f3a4b5c6d", "000000000000")],
        RecipientAccountId = "000000000000",
    };
}
