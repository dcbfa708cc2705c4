using System.Security.Cryptography;
using System.Text;

namespace Citadel.Iam.Tests;

public sealed class SigV4VerifierTests
{
    private const string AccessKeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private sealed class Store : ICredentialStore
    {
        public Credential? Find(string accessKeyId) => accessKeyId == AccessKeyId
            ? new Credential(AccessKeyId, Secret, new Principal("Root", "111122223333", "arn:aws:iam::111122223333:root", "111122223333", null, AccessKeyId))
            : null;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static SigV4Verifier Verifier(DateTimeOffset now) => new(new Store(), new FixedTime(now));

    private static DateTimeOffset At(string amzDate) => DateTimeOffset.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal);

    // Signed by botocore 1.43.11 (SigV4Auth, service kms, region us-east-1): an independent implementation.
    private static SigV4Request BotocoreKmsRequest(string body = """{"KeyId":"alias/x"}""") => new("POST", "/", "", new Dictionary<string, string[]>
    {
        ["host"] = ["kms.us-east-1.amazonaws.com"],
        ["content-type"] = ["application/x-amz-json-1.1"],
        ["x-amz-target"] = ["TrentService.DescribeKey"],
        ["x-amz-date"] = ["20261129T174702Z"],
        ["authorization"] = ["AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=eaab9afb3129464eba20b9ce86676463a4c3bade92606b5cd1d43f8c32e66cbe"],
    }, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))));

    [Fact]
    public void BotocoreSignatureVerifies()
    {
        var result = Verifier(At("20261129T174702Z")).Verify(BotocoreKmsRequest());
        Assert.Equal("kms", result.Scope.Service);
        Assert.Equal("us-east-1", result.Scope.Region);
        Assert.True(result.Principal.IsRoot);
    }

    [Fact]
    public void RoutingThenVerifyingParsesOnceAndACopyWithOtherHeadersIsParsedAfresh()
    {
        var request = BotocoreKmsRequest();
        Assert.Equal("kms", SigV4Verifier.PeekScope(request)!.Service);
        Assert.True(Verifier(At("20261129T174702Z")).Verify(request).Principal.IsRoot);

        // The copy names another access key: it must not verify with the original's parsed parts.
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        headers["authorization"] = [headers["authorization"][0].Replace("AKIDEXAMPLE", "AKIDOTHER", StringComparison.Ordinal)];
        var copy = request with { Headers = headers };
        Assert.Equal("AKIDOTHER", SigV4Verifier.PeekScope(copy)!.AccessKeyId);
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174702Z")).Verify(copy));
        Assert.Equal(AuthenticationErrorKind.UnknownAccessKey, error.Kind);
    }

    [Fact]
    public void ARoutedRequestGivenItsBodyHashLaterVerifiesThatHash()
    {
        // Routing parses the request before the body is read; the body's hash, filled in later, is what gets verified.
        var routed = BotocoreKmsRequest() with { PayloadSha256Hex = "UNSIGNED-PAYLOAD" };
        Assert.Equal("kms", SigV4Verifier.PeekScope(routed)!.Service);
        var verifier = Verifier(At("20261129T174702Z"));
        Assert.True(verifier.Verify(routed.WithPayloadHash(BotocoreKmsRequest().PayloadSha256Hex)).Principal.IsRoot);
        var other = Convert.ToHexStringLower(SHA256.HashData("""{"KeyId":"alias/y"}"""u8));
        Assert.Equal(AuthenticationErrorKind.SignatureMismatch, Assert.Throws<AuthenticationException>(() => verifier.Verify(routed.WithPayloadHash(other))).Kind);
    }

    [Fact]
    public void TamperedBodyDoesNotVerify()
    {
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174702Z")).Verify(BotocoreKmsRequest("""{"KeyId":"alias/y"}""")));
        Assert.Equal(AuthenticationErrorKind.SignatureMismatch, error.Kind);
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(-14, true)]
    [InlineData(16, false)]
    [InlineData(-16, false)]
    public void ClockSkewOfFifteenMinutes(int minutes, bool accepted)
    {
        var verifier = Verifier(At("20261129T174702Z").AddMinutes(minutes));
        if (accepted) verifier.Verify(BotocoreKmsRequest());
        else Assert.Equal(AuthenticationErrorKind.Expired, Assert.Throws<AuthenticationException>(() => verifier.Verify(BotocoreKmsRequest())).Kind);
    }

    // A presigned S3 GET made by botocore 1.43.11 (generate_presigned_url, s3v4, 600 seconds).
    private static SigV4Request BotocorePresigned() => new("GET", "/bucket/a%20b/c.txt",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261129T174708Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=543f7043bce0ba88d7522040e440a1f65d5c845ee384590525b01970450b8e45",
        new Dictionary<string, string[]> { ["host"] = ["localhost:9000"] }, SigV4Canonical.EmptyPayloadSha256);

    [Fact]
    public void BotocorePresignedUrlVerifiesUntilItExpires()
    {
        var result = Verifier(At("20261129T174708Z").AddMinutes(5)).Verify(BotocorePresigned());
        Assert.True(result.Presigned);
        Assert.Equal("s3", result.Scope.Service);
        var expired = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174708Z").AddMinutes(11)).Verify(BotocorePresigned()));
        Assert.Equal(AuthenticationErrorKind.Expired, expired.Kind);
    }

    [Fact]
    public void SignerAndVerifierAgree()
    {
        var now = At("20261129T120000Z");
        var body = Encoding.UTF8.GetBytes("{}");
        var signed = SigV4Signer.Sign("POST", "localhost:8443", "/", "", new Dictionary<string, string> { ["x-amz-target"] = "TrentService.ListKeys" }, body,
            AccessKeyId, Secret, "us-east-1", "kms", now);
        var headers = new Dictionary<string, string[]>
        {
            ["host"] = ["localhost:8443"],
            ["x-amz-target"] = ["TrentService.ListKeys"],
        };
        foreach (var (name, value) in signed) headers[name] = [value];
        Verifier(now).Verify(new SigV4Request("POST", "/", "", headers, Convert.ToHexStringLower(SHA256.HashData(body))));

        var wrong = SigV4Signer.Sign("POST", "localhost:8443", "/", "", new Dictionary<string, string>(), body, AccessKeyId, "wrong-secret", "us-east-1", "kms", now);
        var wrongHeaders = new Dictionary<string, string[]> { ["host"] = ["localhost:8443"] };
        foreach (var (name, value) in wrong) wrongHeaders[name] = [value];
        Assert.Equal(AuthenticationErrorKind.SignatureMismatch, Assert.Throws<AuthenticationException>(() =>
            Verifier(now).Verify(new SigV4Request("POST", "/", "", wrongHeaders, Convert.ToHexStringLower(SHA256.HashData(body))))).Kind);
    }

    [Fact]
    public void UnknownAccessKeyIsUnrecognized()
    {
        var now = At("20261129T120000Z");
        var signed = SigV4Signer.Sign("POST", "h", "/", "", new Dictionary<string, string>(), [], "AKIAUNKNOWN", Secret, "us-east-1", "kms", now);
        var headers = new Dictionary<string, string[]> { ["host"] = ["h"] };
        foreach (var (name, value) in signed) headers[name] = [value];
        Assert.Equal(AuthenticationErrorKind.UnknownAccessKey,
            Assert.Throws<AuthenticationException>(() => Verifier(now).Verify(new SigV4Request("POST", "/", "", headers, SigV4Canonical.EmptyPayloadSha256))).Kind);
    }

    [Theory]
    [InlineData(null, AuthenticationErrorKind.MissingAuthentication)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, Signature=abcd", AuthenticationErrorKind.IncompleteSignature)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms, SignedHeaders=host;x-amz-date, Signature=abcd", AuthenticationErrorKind.IncompleteSignature)]
    [InlineData("AWS3 Credential=x", AuthenticationErrorKind.IncompleteSignature)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=x-amz-date, Signature=abcd", AuthenticationErrorKind.SignatureMismatch)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=nothex", AuthenticationErrorKind.SignatureMismatch)]
    public void MalformedAuthorizationGetsTheRightError(string? authorization, AuthenticationErrorKind kind)
    {
        var headers = new Dictionary<string, string[]> { ["host"] = ["h"], ["x-amz-date"] = ["20261129T120000Z"] };
        if (authorization is not null) headers["authorization"] = [authorization];
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T120000Z")).Verify(new SigV4Request("POST", "/", "", headers, SigV4Canonical.EmptyPayloadSha256)));
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void CanonicalQuerySortsAndEncodes()
    {
        Assert.Equal("a=1&b=x%20y&b=z&c%2Fd=%2A", SigV4Canonical.CanonicalQuery("c%2Fd=*&b=z&b=x+y&a=1".Replace("x+y", "x%20y", StringComparison.Ordinal), false));
    }

    [Theory]
    [InlineData("SignedHeaders={h}, Signature={s}, Credential={c}")]
    [InlineData("Credential={c},SignedHeaders={h},Signature={s}")]
    [InlineData("Credential=AKIDOTHER/20261129/us-east-1/kms/aws4_request, Credential={c}, SignedHeaders={h}, Signature={s}")]
    public void FieldsVerifyInAnyOrderAndSpacingAndTheLastOfANameWins(string fields)
    {
        var request = BotocoreKmsRequest();
        var authorization = request.Headers["authorization"][0];
        string Field(string name)
        {
            var start = authorization.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
            var end = authorization.IndexOf(',', start);
            return authorization[start..(end < 0 ? authorization.Length : end)];
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        headers["authorization"] = ["AWS4-HMAC-SHA256 " + fields.Replace("{c}", Field("Credential"), StringComparison.Ordinal)
            .Replace("{h}", Field("SignedHeaders"), StringComparison.Ordinal).Replace("{s}", Field("Signature"), StringComparison.Ordinal)];
        Assert.True(Verifier(At("20261129T174702Z")).Verify(request with { Headers = headers }).Principal.IsRoot);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("00")]
    public void ASignatureOfTheWrongLengthDoesNotVerify(string extra)
    {
        var request = BotocoreKmsRequest();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        var authorization = headers["authorization"][0];
        // Cut the last digit off and add the extra ones: 63, 64 (one digit changed) or 65 digits.
        headers["authorization"] = [authorization[..^1] + extra];
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174702Z")).Verify(request with { Headers = headers }));
        Assert.Equal(AuthenticationErrorKind.SignatureMismatch, error.Kind);
    }

    [Fact]
    public void AnUpperCaseHexSignatureVerifies()
    {
        var request = BotocoreKmsRequest();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        var authorization = headers["authorization"][0];
        var at = authorization.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length;
        headers["authorization"] = [authorization[..at] + authorization[at..].ToUpperInvariant()];
        Assert.True(Verifier(At("20261129T174702Z")).Verify(request with { Headers = headers }).Principal.IsRoot);
    }

    private static SigV4Request Signed(string region, string service, DateTimeOffset now, Dictionary<string, string> signedHeaders, Dictionary<string, string>? addedAfterSigning = null)
    {
        var signed = SigV4Signer.Sign("POST", "localhost:8443", "/b/k", "", signedHeaders, [], AccessKeyId, Secret, region, service, now);
        var headers = new Dictionary<string, string[]> { ["host"] = ["localhost:8443"] };
        foreach (var (name, value) in signedHeaders) headers[name] = [value];
        foreach (var (name, value) in signed) headers[name] = [value];
        foreach (var (name, value) in addedAfterSigning ?? []) headers[name] = [value];
        return new SigV4Request("POST", "/b/k", "", headers, SigV4Canonical.EmptyPayloadSha256);
    }

    [Fact]
    public void AnAmzHeaderAddedToAPresignedUrlIsRefused()
    {
        // boto3's generate_presigned_url("put_object") signs host only; its holder must not add x-amz-copy-source.
        var presigned = BotocorePresigned();
        var headers = presigned.Headers.ToDictionary(h => h.Key, h => h.Value);
        headers["x-amz-copy-source"] = ["/other-bucket/secret"];
        headers["x-amz-server-side-encryption"] = ["AES256"];
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174708Z")).Verify(presigned with { Headers = headers }));
        Assert.Equal(AuthenticationErrorKind.HeadersNotSigned, error.Kind);
        Assert.Equal(["x-amz-copy-source", "x-amz-server-side-encryption"], error.HeadersNotSigned);
    }

    [Fact]
    public void AnAmzHeaderLeftOutOfSignedHeadersIsRefusedButContentSha256AndAmznAreExempt()
    {
        var now = At("20261129T120000Z");
        var target = new Dictionary<string, string> { ["x-amz-target"] = "TrentService.ListKeys" };
        var error = Assert.Throws<AuthenticationException>(() => Verifier(now).Verify(Signed("us-east-1", "s3", now, target, new() { ["x-amz-meta-a"] = "1" })));
        Assert.Equal(AuthenticationErrorKind.HeadersNotSigned, error.Kind);
        Assert.Equal(["x-amz-meta-a"], error.HeadersNotSigned);

        // x-amz-content-sha256 is the canonical request's last line whether listed or not; x-amzn-trace-id is another prefix.
        var exempt = Signed("us-east-1", "s3", now, target, new() { ["x-amz-content-sha256"] = SigV4Canonical.EmptyPayloadSha256, ["x-amzn-trace-id"] = "Root=1" });
        Assert.True(Verifier(now).Verify(exempt).Principal.IsRoot);
        // The presigned form: the header says what the presigned request's payload line is anyway.
        var presigned = BotocorePresigned();
        var headers = presigned.Headers.ToDictionary(h => h.Key, h => h.Value);
        headers["x-amz-content-sha256"] = ["UNSIGNED-PAYLOAD"];
        Assert.True(Verifier(At("20261129T174708Z")).Verify(presigned with { Headers = headers }).Presigned);
    }

    [Fact]
    public void APresignedUrlMustSignHost()
    {
        var presigned = BotocorePresigned();
        var request = presigned with { RawQuery = presigned.RawQuery.Replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", StringComparison.Ordinal) };
        var error = Assert.Throws<AuthenticationException>(() => Verifier(At("20261129T174708Z")).Verify(request));
        Assert.Equal(AuthenticationErrorKind.IncompleteSignature, error.Kind);
    }

    [Fact]
    public void TheScopeMustNameTheDeploymentsRegionAndIamAndStsMayUseTheGlobalOne()
    {
        var now = At("20261129T120000Z");
        var verifier = new SigV4Verifier(new Store(), new FixedTime(now)) { Region = "eu-central-1" };
        Assert.True(verifier.Verify(Signed("eu-central-1", "kms", now, [])).Principal.IsRoot);
        var error = Assert.Throws<AuthenticationException>(() => verifier.Verify(Signed("eu-west-9", "kms", now, [])));
        Assert.Equal(AuthenticationErrorKind.WrongRegion, error.Kind);
        Assert.Equal("eu-central-1", error.ExpectedRegion);
        Assert.Equal("eu-west-9", error.RequestRegion);
        Assert.Equal(AuthenticationErrorKind.WrongRegion, Assert.Throws<AuthenticationException>(() => verifier.Verify(Signed("us-east-1", "kms", now, []))).Kind);
        Assert.True(verifier.Verify(Signed("us-east-1", "iam", now, [])).Principal.IsRoot);
        Assert.True(verifier.Verify(Signed("us-east-1", "sts", now, [])).Principal.IsRoot);
        Assert.Equal(AuthenticationErrorKind.WrongRegion, Assert.Throws<AuthenticationException>(() => verifier.Verify(Signed("eu-west-9", "iam", now, []))).Kind);
    }
}
