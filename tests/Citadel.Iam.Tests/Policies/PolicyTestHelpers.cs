using Citadel.Iam.Policies;

namespace Citadel.Iam.Tests.Policies;

internal static class PolicyTestHelpers
{
    public const string Account = "111122223333";
    public const string Alice = "arn:aws:iam::111122223333:user/alice";
    public const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    public static RequestContext Request(string action = "kms:Encrypt", string resource = KeyArn, string principal = Alice, string account = Account) =>
        new(action, resource, principal, account);

    /// <summary>"a|b" is two values, "" is an empty list, null is absent.</summary>
    public static RequestContext WithKey(this RequestContext context, string key, string? values) =>
        values is null ? context : context.With(key, values.Length == 0 ? [] : values.Split('|'));

    public static bool Allowed(string policyJson, RequestContext context) =>
        PolicyEvaluator.Evaluate(context, [PolicyDocument.Parse(policyJson)], null).IsAllowed;

    /// <summary>An Allow-everything policy guarded by one condition clause.</summary>
    public static string Guarded(string op, string key, string valuesJson) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"" + op + "\":{\"" + key + "\":" + valuesJson + "}}}}";
}
