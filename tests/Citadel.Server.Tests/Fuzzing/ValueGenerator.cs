using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Builds a plausible, mostly valid input for an operation from its botocore shape: required members always, optional
/// ones now and then, values within the model's lengths, ranges, enums and patterns, and the fixtures' names where a
/// member names a resource (KeyId, UserName, Bucket, ...), so the request gets past validation and lookups. The
/// mutators then break one thing in it.
/// </summary>
internal sealed class ValueGenerator(FuzzModel model, FuzzFixtures fixtures, Random random)
{
    private const int MaxDepth = 5;

    public JsonObject Input(string? shapeName)
        => shapeName is null ? [] : (JsonObject)Value(shapeName, "", 0)!;

    public JsonNode? Value(string shapeName, string memberName, int depth)
    {
        var shape = model.Shape(shapeName);
        switch (shape.Type)
        {
            case "structure":
                var result = new JsonObject();
                foreach (var member in shape.Members)
                {
                    var required = shape.Required.Contains(member.Name);
                    if (!required && (depth >= MaxDepth || random.Next(10) >= 3)) continue;
                    if (Value(member.Shape, member.Name, depth + 1) is { } value) result[member.Name] = value;
                }
                return result;
            case "list":
                var items = new JsonArray();
                var count = Math.Max(shape.Min is > 0 ? (int)shape.Min : 0, random.Next(1, 3));
                if (shape.Max is { } max) count = (int)Math.Min(count, max);
                for (var i = 0; i < count && depth < MaxDepth + 2; i++) items.Add(Value(shape.Member!.Shape, ListItemName(memberName), depth + 1));
                return items;
            case "map":
                var map = new JsonObject();
                var entries = random.Next(1, 3);
                for (var i = 0; i < entries; i++)
                {
                    var key = Value(shape.Key!.Shape, memberName + "Key", depth + 1)?.GetValue<string>() ?? "k" + i;
                    map[key] = Value(shape.Value!.Shape, memberName + "Value", depth + 1);
                }
                return map;
            case "string":
                return String(shape, memberName);
            case "blob":
                return Blob(shape, memberName);
            case "integer" or "long":
                var min = shape.Min ?? (memberName.Contains("Max", StringComparison.Ordinal) || memberName == "Limit" ? 1 : 0);
                var high = shape.Max ?? Math.Max(min + 100, 100);
                return JsonValue.Create(min + (long)(random.NextDouble() * Math.Min(high - min, 1000)));
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            case "timestamp":
                return JsonValue.Create(Math.Round(DateTimeOffset.UtcNow.AddMinutes(random.Next(-1440, 1440)).ToUnixTimeMilliseconds() / 1000.0, 3));
            case "float" or "double":
                return JsonValue.Create(random.NextDouble() * 100);
            default:
                return JsonValue.Create("x");
        }
    }

    private static string ListItemName(string memberName)
        => memberName.EndsWith("ies", StringComparison.Ordinal) ? memberName[..^3] + "y" : memberName.TrimEnd('s');

    private JsonNode Blob(FuzzShape shape, string memberName)
    {
        if (memberName is "CiphertextBlob" or "SourceCiphertextBlob" && random.Next(4) != 0) return JsonValue.Create(fixtures.CiphertextBlob);
        var length = (int)Math.Clamp(shape.Min ?? 1, 1, 4096);
        var upper = (int)Math.Clamp(shape.Max ?? 64, length, 64);
        var bytes = new byte[random.Next(length, upper + 1)];
        random.NextBytes(bytes);
        return JsonValue.Create(Convert.ToBase64String(bytes));
    }

    private JsonNode String(FuzzShape shape, string memberName)
    {
        if (shape.Enum is { Count: > 0 }) return JsonValue.Create(Nasty.Pick(random, shape.Enum));
        if (Known(memberName) is { } known) return JsonValue.Create(known);
        var min = (int)Math.Clamp(shape.Min ?? 1, 0, 512);
        var max = (int)Math.Clamp(shape.Max ?? 24, Math.Max(min, 1), 24 + min);
        string candidate = "";
        for (var attempt = 0; attempt < 4; attempt++)
        {
            candidate = RandomText(random.Next(Math.Max(min, 1), max + 1), attempt);
            if (shape.Pattern is null || Matches(shape.Pattern, candidate)) break;
        }
        return JsonValue.Create(candidate);
    }

    private string RandomText(int length, int attempt)
    {
        const string plain = "abcdefghijklmnopqrstuvwxyz0123456789";
        const string wider = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        var alphabet = attempt < 2 ? plain : wider;
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
        if (attempt == 3 && length > 1) text[0] = '/';
        return text.ToString();
    }

    private static readonly Dictionary<string, Regex?> Patterns = [];

    private static bool Matches(string pattern, string value)
    {
        Regex? regex;
        lock (Patterns)
        {
            if (!Patterns.TryGetValue(pattern, out regex))
            {
                try { regex = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)); }
                catch (ArgumentException) { regex = null; }
                Patterns[pattern] = regex;
            }
        }
        try { return regex is null || regex.IsMatch(value); }
        catch (RegexMatchTimeoutException) { return true; }
    }

    private string RandomGuid()
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private string UserArn => $"arn:aws:iam::{FuzzFixtures.AccountId}:user/{FuzzFixtures.TargetUser}";

    /// <summary>The fixture a member names, when it names one (most of the time; sometimes a fresh name instead).</summary>
    private string? Known(string member)
    {
        var fresh = "fuzz" + random.Next(1000).ToString(CultureInfo.InvariantCulture);
        var service = model.Service;
        return member switch
        {
            "KeyId" or "DestinationKeyId" or "TargetKeyId" or "SourceKeyId" or "KmsKeyId" or "KMSMasterKeyID" or "SSEKMSKeyId" => random.Next(5) switch
            {
                0 or 1 => fixtures.SymmetricKeyId,
                2 => Nasty.Pick(random, fixtures.KeyIds),
                3 => fixtures.SymmetricKeyArn,
                _ => RandomGuid(),
            },
            "AliasName" => random.Next(2) == 0 ? FuzzFixtures.Alias : "alias/" + fresh,
            "GrantId" => fixtures.GrantId,
            "GrantToken" or "GrantTokens" or "GrantToken1" => fixtures.GrantToken,
            "GranteePrincipal" or "RetiringPrincipal" or "PolicySourceArn" or "CallerArn" or "PrincipalArn" => UserArn,
            "Policy" when service is "kms" => $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{FuzzFixtures.AccountId}}:root"},"Action":"kms:*","Resource":"*"}]}""",
            "Policy" when service is "s3" => $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{FuzzFixtures.AccountId}}:root"},"Action":"s3:*","Resource":"arn:aws:s3:::{{FuzzFixtures.Bucket}}/*"}]}""",
            "Policy" or "PolicyDocument" or "PermissionsBoundaryPolicyInputList" or "PolicyInputList" or "ResourcePolicy" => FuzzFixtures.AllowAllPolicy,
            "AssumeRolePolicyDocument" => FuzzFixtures.TrustPolicy,
            "UserName" => random.Next(4) == 0 ? fresh : FuzzFixtures.TargetUser,
            "NewUserName" or "NewGroupName" => fresh,
            "GroupName" => random.Next(4) == 0 ? fresh : FuzzFixtures.Group,
            "RoleName" => random.Next(4) == 0 ? fresh : FuzzFixtures.Role,
            "RoleArn" => fixtures.RoleArn,
            "PolicyArn" => fixtures.ManagedPolicyArn,
            "PolicyName" => "fuzz-inline-" + random.Next(3).ToString(CultureInfo.InvariantCulture),
            "AccessKeyId" when service is "iam" => fixtures.TargetAccessKeyId,
            "RoleSessionName" => "fuzz-" + random.Next(100).ToString(CultureInfo.InvariantCulture),
            "Path" or "PathPrefix" => random.Next(2) == 0 ? "/" : "/fuzz/",
            "Name" or "TrailName" or "ResourceId" when service is "cloudtrail" => random.Next(3) == 0 ? fresh : FuzzFixtures.Trail,
            "TrailNameList" or "ResourceIdList" => FuzzFixtures.Trail,
            "S3BucketName" or "Bucket" => random.Next(4) switch
            {
                0 => FuzzFixtures.VersionedBucket,
                1 when service is "s3" => fresh + "-bucket",
                _ => FuzzFixtures.Bucket,
            },
            "Key" when service is "s3" => random.Next(3) == 0 ? "fuzz/" + fresh : FuzzFixtures.ObjectKey,
            "VersionId" when service is "s3" => fixtures.VersionId,
            "UploadId" => fixtures.UploadId,
            "CopySource" => $"{FuzzFixtures.Bucket}/{FuzzFixtures.ObjectKey}",
            "ExpectedBucketOwner" or "ExpectedSourceBucketOwner" or "AccountId" => FuzzFixtures.AccountId,
            "AttributeValue" => random.Next(2) == 0 ? "DescribeKey" : fixtures.SymmetricKeyId,
            "TagKey" or "Key" => "fuzz-tag-" + random.Next(5).ToString(CultureInfo.InvariantCulture),
            "TagValue" or "Value" => "v" + random.Next(5).ToString(CultureInfo.InvariantCulture),
            "Marker" or "NextToken" or "ContinuationToken" => null,
            _ => null,
        };
    }
}
