using System.Text;
using System.Text.Json.Nodes;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Cases for Citadel's own endpoints: the admin API (<c>/citadel/admin/explain</c>, <c>/citadel/admin/s3/rekey</c>,
/// signed by the administrator with scope service <c>citadel</c>), the operator API (<c>status</c>, <c>init</c>,
/// <c>unseal</c>, <c>seal</c>, <c>trails/flush</c>), <c>/health</c> and <c>/metrics</c>: bodies broken as the
/// JSON protocols' are, wrong methods and paths, other signers. A seal is never signed by the administrator (it would
/// seal the server under the other cases).
/// </summary>
internal static class CitadelApiCases
{
    public static FuzzRequest Generate(FuzzFixtures fixtures, Random random)
    {
        var roll = random.Next(100);
        return roll switch
        {
            < 45 => Admin(fixtures, random),
            < 85 => Operator(random),
            _ => Plain(random),
        };
    }

    private static FuzzRequest Admin(FuzzFixtures fixtures, Random random)
    {
        var rekey = random.Next(3) == 0;
        var input = rekey
            ? new JsonObject { ["bucket"] = random.Next(3) == 0 ? "no-such-bucket" : FuzzFixtures.Bucket, ["rewrapOnly"] = random.Next(2) == 0, ["batch"] = random.Next(1, 50) }
            : new JsonObject { ["requestId"] = random.Next(3) == 0 ? "00000000-0000-0000-0000-000000000000" : fixtures.LoggedRequestId };
        var request = new FuzzRequest
        {
            Generator = rekey ? "admin.s3/rekey" : "admin.explain",
            Service = "citadel",
            Path = rekey ? "/citadel/admin/s3/rekey" : "/citadel/admin/explain",
            ExpectedShapeName = "citadel",
            Signing = random.Next(5) == 0 ? FuzzSigning.User : FuzzSigning.Admin,
        };
        request.Headers.Add(new("Content-Type", "application/json"));
        request.Body = Body(input, rekey ? ["bucket", "rewrapOnly", "batch", "Bucket"] : ["requestId", "RequestId"], random, request);
        if (request.Signing == FuzzSigning.User) request.MustReject = "an admin endpoint signed by a non-root IAM user";
        if (random.Next(8) == 0)
        {
            request.Path = Nasty.Pick(random, new[] { "/citadel/admin/", "/citadel/admin/explain/x", "/citadel/admin/s3", "/citadel/admin/%2e%2e/admin/explain", "/citadel/admin/EXPLAIN", "/citadel/admin/explain%00" });
            request.Mutated("path " + request.Path);
        }
        if (random.Next(8) == 0)
        {
            request.Method = Nasty.Pick(random, new[] { "GET", "PUT", "DELETE", "HEAD", "PATCH" });
            request.Mutated("method " + request.Method);
        }
        return request;
    }

    private static FuzzRequest Operator(Random random)
    {
        var endpoint = Nasty.Pick(random, new[] { "status", "init", "unseal", "seal", "trails/flush", "unknown", "", "status/x" });
        var request = new FuzzRequest
        {
            Generator = "operator." + endpoint,
            Service = "citadel",
            Path = "/citadel/operator/" + endpoint,
            Method = endpoint is "status" or "status/x" ? "GET" : "POST",
            ExpectedShapeName = "citadel",
        };
        // Only trails/flush is signed by the administrator; a seal is sent unsigned or signed by the IAM user, who may not.
        request.Signing = endpoint switch
        {
            "trails/flush" => random.Next(4) == 0 ? FuzzSigning.User : FuzzSigning.Admin,
            "seal" => random.Next(2) == 0 ? FuzzSigning.User : FuzzSigning.AsIs,
            _ => random.Next(3) == 0 ? FuzzSigning.Admin : FuzzSigning.AsIs,
        };
        var input = endpoint switch
        {
            "init" => new JsonObject { ["shares"] = random.Next(0, 20), ["threshold"] = random.Next(0, 5) },
            "unseal" => new JsonObject { ["share"] = random.Next(2) == 0 ? new string('a', 66) : "zz" },
            _ => new JsonObject(),
        };
        request.Headers.Add(new("Content-Type", "application/json"));
        request.Body = request.Method == "GET" && random.Next(2) == 0 ? [] : Body(input, ["shares", "threshold", "share", "Share"], random, request);
        if (random.Next(10) == 0)
        {
            request.Method = Nasty.Pick(random, new[] { "GET", "PUT", "DELETE", "POST" });
            request.Mutated("method " + request.Method);
        }
        // A seal signed by anyone but the administrator is refused; if the server sealed anyway, the runner notices.
        if (endpoint == "seal") request.MustReject = "a seal not signed by the administrator";
        return request;
    }

    private static FuzzRequest Plain(Random random)
    {
        var path = Nasty.Pick(random, new[] { "/health", "/health/live", "/health/ready", "/metrics", "/health/", "/HEALTH", "/metrics?x=1" });
        var request = new FuzzRequest { Generator = "plain." + path.TrimStart('/'), Service = "s3", Method = random.Next(6) == 0 ? Nasty.Pick(random, new[] { "HEAD", "POST", "OPTIONS" }) : "GET", Signing = FuzzSigning.AsIs };
        var question = path.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            request.Query = path[(question + 1)..];
            path = path[..question];
        }
        request.Path = path;
        if (random.Next(3) == 0)
        {
            request.Headers.Add(new(Nasty.Pick(random, new[] { "Accept", "X-Amz-Target", "Authorization", "Content-Type", "X-Forwarded-For" }),
                Nasty.Pick(random, new[] { "*/*", "TrentService.ListKeys", "AWS4-HMAC-SHA256 Credential=x", "application/x-www-form-urlencoded", "1.2.3.4, ::1", "" })));
            request.Mutated("header");
        }
        return request;
    }

    private static byte[] Body(JsonObject input, IReadOnlyList<string> names, Random random, FuzzRequest request)
    {
        if (random.Next(10) == 0)
        {
            request.Mutated("none");
            return Encoding.UTF8.GetBytes(input.ToJsonString());
        }
        return JsonMutator.Mutate(input, names, random, request.Mutations);
    }

    /// <summary>Bodies streamed past the endpoints' limits: a server that applies its limit reads little of them.</summary>
    public static IEnumerable<FuzzRequest> BodyLimitProbes()
    {
        foreach (var (path, limit, signing) in new[]
        {
            ("/citadel/admin/explain", 64L << 10, FuzzSigning.AsIs),
            ("/citadel/operator/unseal", 1L << 20, FuzzSigning.AsIs),
            ("/citadel/operator/init", 1L << 20, FuzzSigning.AsIs),
        })
        {
            var request = new FuzzRequest
            {
                Generator = "probe." + path.Trim('/').Replace('/', '.'),
                Service = "citadel",
                Path = path,
                Signing = signing,
                ExpectedShapeName = "citadel",
                StreamedBodyLength = 48L << 20,
                BodyLimit = limit,
            };
            request.Headers.Add(new("Content-Type", "application/json"));
            request.Mutated("48 MiB streamed body");
            yield return request;
        }
        // The same for the AWS protocols, whose pipelines refuse past 1 MiB.
        var kms = FuzzServer.JsonRequest("kms", "Encrypt", new JsonObject(), FuzzSigning.AsIs);
        kms.StreamedBodyLength = 48L << 20;
        kms.BodyLimit = 1L << 20;
        kms.ExpectedShapeName = "awsJson";
        kms.Mutated("48 MiB streamed body");
        yield return kms;
    }
}
