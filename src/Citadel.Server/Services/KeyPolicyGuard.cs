using Citadel.Iam;
using Citadel.Iam.Policies;
using Citadel.Kms;

namespace Citadel.Server.Services;

/// <summary>
/// Checks a key policy before CreateKey or PutKeyPolicy stores it: it must be a valid resource policy
/// (the full policy grammar, with the parser's message), and — unless BypassPolicyLockoutSafetyCheck —
/// it must still let the caller change the key policy later, directly or by delegating to the account,
/// so no one locks themselves (and everyone else) out of a key.
/// </summary>
public static class KeyPolicyGuard
{
    /// <summary>Throws MalformedPolicyDocumentException when the policy is invalid or would lock the caller out.</summary>
    public static void Check(string? policy, bool bypassLockoutCheck, Principal caller, string partition, string keyArn)
    {
        if (policy is null) return;
        PolicyDocument document;
        try
        {
            document = PolicyDocument.Parse(policy, PolicyKind.Resource);
        }
        catch (MalformedPolicyDocumentException e)
        {
            throw new KmsException(KmsErrorCode.MalformedPolicyDocument, e.Message);
        }
        if (bypassLockoutCheck) return;
        var root = $"arn:{partition}:iam::{caller.AccountId}:root";
        bool Allows(string principal) => PolicyEvaluator.Evaluate(new RequestContext("kms:PutKeyPolicy", keyArn, principal, caller.AccountId), [], document).IsAllowed;
        var deniedToCaller = PolicyEvaluator.Evaluate(new RequestContext("kms:PutKeyPolicy", keyArn, caller.Arn, caller.AccountId), [], document).Decision == Decision.ExplicitDeny;
        if (deniedToCaller || !(Allows(caller.Arn) || Allows(root)))
            throw new KmsException(KmsErrorCode.MalformedPolicyDocument,
                "The new key policy will not allow you to update the key policy in the future.");
    }
}
