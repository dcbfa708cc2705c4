using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// awsJson1_1 cases (KMS, CloudTrail): a valid request of one operation of the model, built by
/// <see cref="ValueGenerator"/>, then broken in its body (<see cref="JsonMutator"/>), its headers (Content-Type,
/// X-Amz-Target, Content-Encoding) or its method and target; signed afterwards by the case's signer.
/// </summary>
internal static class AwsJsonCases
{
    public static FuzzRequest Generate(string service, IReadOnlyList<string> served, FuzzFixtures fixtures, Random random)
    {
        var model = FuzzModel.Load(service);
        var operations = random.Next(25) == 0 ? model.Operations.Keys.Order(StringComparer.Ordinal).ToList() : served;
        var operation = model.Operations[Nasty.Pick(random, operations)];
        var input = new ValueGenerator(model, fixtures, random).Input(operation.Input);
        var request = FuzzServer.JsonRequest(service, operation.Name, input);
        request.ExpectedShapeName = "awsJson";
        var memberNames = operation.Input is null ? [] : model.Shape(operation.Input).Members.Select(m => m.Name).ToList();
        var roll = random.Next(100);
        if (roll < 8)
        {
            request.Mutated("none");
        }
        else if (roll < 80)
        {
            request.Body = JsonMutator.Mutate(input, memberNames, random, request.Mutations);
        }
        else if (roll < 92)
        {
            MutateHeaders(request, model, operation.Name, random);
        }
        else
        {
            MutateTarget(request, random);
        }
        if (random.Next(12) == 0)
        {
            request.Framing = BodyFraming.Chunked;
            request.Mutated("transfer-encoding chunked");
        }
        return request;
    }

    private static void MutateHeaders(FuzzRequest request, FuzzModel model, string operation, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                var type = Nasty.Pick(random, new[]
                {
                    "", "application/json", "text/plain", "application/x-amz-json-1.0", "application/x-amz-json-1.1; charset=latin1",
                    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", ";;;", "application/x-amz-json-1.1; charset=\"",
                });
                if (type.Length == 0) request.RemoveHeader("Content-Type");
                else request.SetHeader("Content-Type", type);
                request.Mutated($"content-type '{type}'");
                break;
            case 1:
            case 2:
                var target = Nasty.Pick(random, new[]
                {
                    "", model.TargetPrefix + ".", model.TargetPrefix + "." + operation.ToLowerInvariant(), model.TargetPrefix + "." + operation + ".Extra",
                    "Foo." + operation, operation, model.TargetPrefix, "." + operation, model.TargetPrefix + ".." + operation,
                    model.TargetPrefix + "." + new string('A', 5000), model.TargetPrefix + ". " + operation, "TrentService.GenerateRandom",
                    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", model.TargetPrefix + ".%00",
                });
                if (target.Length == 0) request.RemoveHeader("X-Amz-Target");
                else request.SetHeader("X-Amz-Target", target);
                request.Mutated($"target '{(target.Length > 60 ? target[..60] + "..." : target)}'");
                break;
            case 3:
                request.SetHeader("Content-Encoding", Nasty.Pick(random, new[] { "gzip", "deflate", "br", "aws-chunked", "identity", "x" }));
                request.Mutated("content-encoding");
                break;
            case 4:
                // A second X-Amz-Target or Content-Type header (both signed, joined by a comma as the server sees them).
                request.Headers.Add(new(random.Next(2) == 0 ? "X-Amz-Target" : "Content-Type", random.Next(2) == 0 ? "TrentService.ListKeys" : "application/x-amz-json-1.1"));
                request.Mutated("repeated header");
                break;
            default:
                request.SetHeader("x-amz-content-sha256", random.Next(2) == 0 ? "UNSIGNED-PAYLOAD" : new string('0', 64));
                request.Mutated("x-amz-content-sha256 not the body's");
                break;
        }
    }

    private static void MutateTarget(FuzzRequest request, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                request.Method = Nasty.Pick(random, new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS" });
                request.Mutated("method " + request.Method);
                break;
            case 1:
                request.Path = Nasty.Pick(random, new[] { "/x", "//", "/%2F", "/..", "/%00", "/?", "/" + new string('a', 3000) });
                if (request.Path == "/?") { request.Path = "/"; request.Query = "Action=ListUsers"; }
                request.Mutated("path " + request.Path[..Math.Min(20, request.Path.Length)]);
                break;
            case 2:
                request.Query = Nasty.Pick(random, new[] { "a=b", "Action=ListUsers&Version=2010-05-08", "%zz", "X-Amz-Algorithm=x", "=", "&&", "a=%ED%A0%80" });
                request.Mutated("query " + request.Query);
                break;
            default:
                request.Body = Encoding.UTF8.GetBytes(new string(' ', 1 << 20) + "{}");
                request.Mutated("body over 1 MiB");
                break;
        }
    }
}
