namespace Citadel.Server.Tests.Fuzzing;

/// <summary>Credentials the harness signs with.</summary>
internal sealed record FuzzCredentials(string Name, string AccessKeyId, string Secret, string? SessionToken = null);

/// <summary>
/// The resources the harness creates before fuzzing (keys, an alias, a grant, a ciphertext, IAM users, a role, a group,
/// a managed policy, a bucket with objects and an open multipart upload, a trail), so that generated requests name
/// things that exist and get past the lookups into the operations. Generators only read these values: a case is a
/// function of the seed and its index (and these names), never of earlier answers.
/// </summary>
internal sealed class FuzzFixtures
{
    public const string Region = "us-east-1";
    public const string AccountId = "000000000000";
    public const string CallerUser = "fuzz-caller"; // signs as the non-root IAM user; no generator names it
    public const string TargetUser = "fuzz-target";
    public const string Role = "fuzz-role";
    public const string Group = "fuzz-group";
    public const string ManagedPolicy = "fuzz-policy";
    public const string Bucket = "fuzz-bucket";
    public const string VersionedBucket = "fuzz-versioned";
    public const string ObjectKey = "fuzz/object.txt";
    public const string Trail = "fuzz-trail";
    public const string Alias = "alias/fuzz-key";

    public required FuzzCredentials Admin { get; init; }
    public FuzzCredentials User { get; set; } = null!;
    public FuzzCredentials Session { get; set; } = null!;
    public FuzzCredentials OtherSession { get; set; } = null!;
    public string SymmetricKeyId { get; set; } = "";
    public string SymmetricKeyArn { get; set; } = "";
    public string RsaSignKeyId { get; set; } = "";
    public string RsaEncryptKeyId { get; set; } = "";
    public string HmacKeyId { get; set; } = "";
    public string EccKeyId { get; set; } = "";
    public string CiphertextBlob { get; set; } = ""; // base64, under the symmetric key
    public string GrantId { get; set; } = "";
    public string GrantToken { get; set; } = "";
    public string ManagedPolicyArn { get; set; } = "";
    public string RoleArn { get; set; } = "";
    public string UploadId { get; set; } = "";
    public string VersionId { get; set; } = "";
    public string TargetAccessKeyId { get; set; } = "";
    public string LoggedRequestId { get; set; } = "";

    public string[] KeyIds => [SymmetricKeyId, SymmetricKeyArn, Alias, $"arn:aws:kms:{Region}:{AccountId}:{Alias}", RsaSignKeyId, RsaEncryptKeyId, HmacKeyId, EccKeyId];

    public const string AllowAllPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    public static string TrustPolicy => $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{AccountId}}:root"},"Action":"sts:AssumeRole"}]}""";
}
