using System.Text.Json;

namespace Citadel.Kms.Keys;

/// <summary>The default key policy and key policy validation.</summary>
public static class KeyPolicies
{
    /// <summary>The only policy name KMS has.</summary>
    public const string DefaultName = "default";

    /// <summary>The default key policy: the account root (and so IAM policies of the account) may do everything.</summary>
    public static string Default(KmsSettings settings) => $$"""
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "{{settings.RootArn}}"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;

    /// <summary>Checks a key policy is a JSON object with statements; throws MalformedPolicyDocumentException.</summary>
    public static void Validate(string policy)
    {
        if (policy.Length > 32768)
            throw new KmsException(KmsErrorCode.LimitExceeded, "Policy document exceeds the maximum size of 32768 bytes.");
        try
        {
            using var document = JsonDocument.Parse(policy);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Statement", out var statements))
                throw new KmsException(KmsErrorCode.MalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.");
            var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            foreach (var statement in list)
            {
                if (statement.ValueKind != JsonValueKind.Object
                    || !statement.TryGetProperty("Effect", out var effect) || effect.GetString() is not ("Allow" or "Deny"))
                    throw new KmsException(KmsErrorCode.MalformedPolicyDocument, "Policy statement must contain an Effect of Allow or Deny.");
            }
        }
        catch (JsonException)
        {
            throw new KmsException(KmsErrorCode.MalformedPolicyDocument, "The policy is not valid JSON.");
        }
    }
}
