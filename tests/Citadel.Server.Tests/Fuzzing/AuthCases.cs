using System.Globalization;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Turns a generated case into an unsigned or badly signed one: no signature, Authorization headers that do not parse,
/// a valid signature broken afterwards (its hex, SignedHeaders, the credential scope, x-amz-date, the clock), a wrong
/// secret, presigned URLs with missing, expired or malformed parameters, session tokens that are not the signer's. Where
/// a correct server must refuse (a credential scope for another region, an x-amz-* header left out of the signature, a
/// presigned URL that does not sign host, another session's token), the case says so and a 2xx fails it.
/// </summary>
internal static class AuthCases
{
    private static readonly string[] BrokenAuthorizations =
    [
        "", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAFUZZADMIN0000000/20200101/us-east-1/kms/aws4_request", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
        "aws4-hmac-sha256 Credential=AKIAFUZZADMIN0000000/20200101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00", "AWS AKIA:c2ln",
        "Bearer abc", "AWS4-HMAC-SHA512 Credential=x", "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=", "AWS4-HMAC-SHA256 ,,,,,,",
        "AWS4-HMAC-SHA256 Credential==, SignedHeaders==, Signature==", "AWS4-HMAC-SHA256 Credential=AKIAFUZZADMIN0000000/2020010/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAFUZZADMIN0000000/20200101//kms/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAFUZZADMIN0000000/20200101/us-east-1/kms/aws4_request/x, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAFUZZADMIN0000000/20200101/us-east-1/kms/aws4_request, SignedHeaders=;;;, Signature=00",
    ];

    public static void Apply(FuzzRequest request, FuzzFixtures fixtures, Random random)
    {
        var choice = random.Next(14);
        switch (choice)
        {
            case 0:
                request.Signing = FuzzSigning.AsIs;
                request.Mutated("unsigned");
                break;
            case 1:
                request.Signing = FuzzSigning.AsIs;
                var broken = Nasty.Pick(random, BrokenAuthorizations);
                if (random.Next(4) == 0) broken += new string('x', Nasty.Pick(random, new[] { 5000, 20_000 }));
                request.SetHeader("Authorization", broken);
                if (random.Next(2) == 0) request.SetHeader("x-amz-date", Nasty.Pick(random, new[] { "20200101T000000Z", "x", "", DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) }));
                request.Mutated("authorization '" + (broken.Length > 50 ? broken[..50] + "..." : broken) + "'");
                break;
            case 2:
                var how = random.Next(7);
                request.AfterSigning = r =>
                {
                    var auth = r.Header("authorization");
                    if (auth is null) return;
                    var signature = FuzzSigner.SignatureOf(r);
                    var replacement = how switch
                    {
                        0 => signature[..^1] + (signature[^1] == '0' ? '1' : '0'),
                        1 => signature[..32],
                        2 => "zz" + signature[2..],
                        3 => "",
                        4 => signature.ToUpperInvariant(),
                        5 => signature + "00",
                        _ => signature,
                    };
                    r.SetHeader("Authorization", how == 6 ? auth + ", Signature=" + new string('0', 64) : auth.Replace("Signature=" + signature, "Signature=" + replacement, StringComparison.Ordinal));
                };
                request.Mutated("signature broken #" + how);
                break;
            case 3:
                var headersHow = random.Next(5);
                request.AfterSigning = r =>
                {
                    var auth = r.Header("authorization");
                    if (auth is null) return;
                    var at = auth.IndexOf("SignedHeaders=", StringComparison.Ordinal) + "SignedHeaders=".Length;
                    var end = auth.IndexOf(',', at);
                    var list = auth[at..end];
                    var changed = headersHow switch
                    {
                        0 => string.Join(';', list.Split(';').Where(h => h != "host")),
                        1 => list + ";x-amz-not-sent",
                        2 => list.ToUpperInvariant(),
                        3 => "",
                        _ => string.Join(';', list.Split(';').Reverse()),
                    };
                    r.SetHeader("Authorization", auth[..at] + changed + auth[end..]);
                };
                request.Mutated("signed headers changed #" + headersHow);
                break;
            case 4:
                var date = Nasty.Pick(random, new[] { "", "x", "20200101", "20200101T000000", "2020-01-01T00:00:00Z", "99991231T235959Z", "00010101T000000Z", "20201301T000000Z", "20200230T250000Z", "-1", "1e300" });
                var useDateHeader = random.Next(3) == 0;
                request.AfterSigning = r =>
                {
                    if (useDateHeader)
                    {
                        r.RemoveHeader("x-amz-date");
                        r.SetHeader("Date", Nasty.Pick(new Random(date.Length), new[] { "Thu, 01 Jan 1970 00:00:00 GMT", "not a date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture) }));
                    }
                    else
                    {
                        r.SetHeader("x-amz-date", date);
                    }
                };
                request.Mutated(useDateHeader ? "Date header instead of x-amz-date" : $"x-amz-date '{date}' after signing");
                break;
            case 5:
                var credentialHow = random.Next(4);
                request.AfterSigning = r =>
                {
                    var auth = r.Header("authorization");
                    if (auth is null) return;
                    var at = auth.IndexOf("Credential=", StringComparison.Ordinal) + "Credential=".Length;
                    var end = auth.IndexOf(',', at);
                    var parts = auth[at..end].Split('/');
                    switch (credentialHow)
                    {
                        case 0: parts[0] = "AKIAUNKNOWNFUZZ00000"; break;
                        case 1: parts[1] = "20200101"; break;
                        case 2: parts[3] = "iam"; break;
                        default: parts[4] = "aws4_requesT"; break;
                    }
                    r.SetHeader("Authorization", auth[..at] + string.Join('/', parts) + auth[end..]);
                };
                request.Mutated("credential changed #" + credentialHow);
                break;
            case 6:
                request.CredentialsOverride = new FuzzCredentials("wrong-secret", fixtures.Admin.AccessKeyId, "not-the-secret");
                request.Mutated("wrong secret");
                break;
            case 7:
                request.SigningRegion = Nasty.Pick(random, new[] { "eu-west-1", "us-west-2", "ap-south-1", "xx-fuzz-9", "US-EAST-1", "us-east-2" });
                request.MustReject = $"a credential scope for region {request.SigningRegion} (the server's is {FuzzFixtures.Region})";
                request.Mutated("region " + request.SigningRegion);
                break;
            case 8:
                var unsigned = request.Service == "s3"
                    ? Nasty.Pick(random, new[] { "x-amz-meta-unsigned", "x-amz-tagging", "x-amz-server-side-encryption", "x-amz-storage-class", "x-amz-fuzz" })
                    : Nasty.Pick(random, new[] { "x-amz-fuzz", "x-amz-user-agent", "x-amz-meta-unsigned" });
                var value = unsigned switch { "x-amz-tagging" => "unsigned=1", "x-amz-server-side-encryption" => "AES256", "x-amz-storage-class" => "STANDARD", _ => "1" };
                request.AfterSigning = r => r.Headers.Add(new(unsigned, value));
                request.MustReject = $"an x-amz-* header ({unsigned}) that is not signed";
                request.Mutated("unsigned header " + unsigned);
                break;
            case 9:
            case 10:
                Presigned(request, random);
                break;
            case 11:
                SessionToken(request, fixtures, random);
                break;
            case 12:
                request.SigningTimeOffset = TimeSpan.FromMinutes(Nasty.Pick(random, new[] { -16, 16, -14, 14, -1440, 1440, -525_600 * 100 }));
                request.Mutated("clock off by " + request.SigningTimeOffset.TotalMinutes.ToString(CultureInfo.InvariantCulture) + " min");
                break;
            default:
                // Signed by the IAM user or a session: valid, for the authorization path.
                request.Signing = random.Next(2) == 0 ? FuzzSigning.User : FuzzSigning.Session;
                request.Mutated("signed by " + request.Signing);
                break;
        }
    }

    private static void Presigned(FuzzRequest request, Random random)
    {
        request.Presign = true;
        var how = random.Next(12);
        request.Mutated("presigned #" + how);
        switch (how)
        {
            case 0:
            case 1:
                break;
            case 2:
                request.PresignWithoutHost = true;
                request.MustReject = "a presigned URL whose X-Amz-SignedHeaders leaves out host";
                break;
            case 3:
                request.SigningTimeOffset = TimeSpan.FromHours(-1); // X-Amz-Expires is 300
                break;
            default:
                var parameter = Nasty.Pick(random, new[] { "X-Amz-Expires", "X-Amz-Date", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Algorithm", "X-Amz-Security-Token" });
                var value = Nasty.Pick(random, new[] { "", "0", "-1", "604801", "1e300", "99999999999999999999", "x", "%00", "%ZZ", "AWS4-HMAC-SHA256", "host", "a/b/c", "20200101T000000Z" });
                var drop = random.Next(3) == 0;
                request.AfterSigning = r =>
                {
                    var parts = r.Query.Split('&').Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal)).ToList();
                    if (!drop) parts.Add(parameter + "=" + value);
                    r.Query = string.Join('&', parts);
                };
                request.Mutations[^1] += drop ? $" without {parameter}" : $" {parameter}={value}";
                break;
        }
    }

    private static void SessionToken(FuzzRequest request, FuzzFixtures fixtures, Random random)
    {
        var how = random.Next(5);
        switch (how)
        {
            case 0:
                request.Signing = FuzzSigning.Session;
                request.Mutated("session");
                break;
            case 1:
                // The session's key and secret with another session's token, all signed.
                request.CredentialsOverride = fixtures.Session with { SessionToken = fixtures.OtherSession.SessionToken };
                request.MustReject = "a session token issued for another access key";
                request.Mutated("another session's token");
                break;
            case 2:
                request.CredentialsOverride = fixtures.User with { SessionToken = fixtures.Session.SessionToken };
                request.MustReject = "a long-term access key with a session's token";
                request.Mutated("user key with a session token");
                break;
            case 3:
                request.CredentialsOverride = fixtures.Session with { SessionToken = null };
                request.MustReject = "a session's access key without its token";
                request.Mutated("session key without its token");
                break;
            default:
                var token = Nasty.Pick(random, new[] { "", "x", "!!!!", "AAAA", fixtures.Session.SessionToken![..^4], fixtures.Session.SessionToken + "AAAA", new string('A', 10_000) });
                request.CredentialsOverride = fixtures.Session with { SessionToken = token };
                request.MustReject = "a session token that is not the one issued";
                request.Mutated("session token mangled");
                break;
        }
    }
}
