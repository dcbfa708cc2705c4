using BenchmarkDotNet.Attributes;
using Citadel.Iam.Policies;

namespace Citadel.MicroBench;

/// <summary>
/// The cost of one authorization decision with a realistic policy set: a user with 10 identity policies
/// (5 statements each: wildcards, NotAction, conditions on encryption context, source IP, tags, time) and a
/// key policy with delegation plus a direct grant. Parsing is measured separately from evaluation, since
/// the authorizer parses the caller's documents per request today.
/// </summary>
[MemoryDiagnoser]
public class PolicyEvaluationBenchmarks
{
    private const string Account = "111122223333";
    private const string Key = "arn:aws:kms:us-east-1:111122223333:key/0b1e3c2a-5d7f-4a8b-9c0d-1e2f3a4b5c6d";
    private string[] _identityTexts = [];
    private string _keyPolicyText = "";
    private List<PolicyDocument> _identity = [];
    private PolicyDocument _keyPolicy = null!;
    private RequestContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _identityTexts = Enumerable.Range(0, 10).Select(i => """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"EncIDX","Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:us-east-1:ACCOUNT:key/*",
               "Condition":{"StringEquals":{"kms:EncryptionContext:app":"appIDX"},"ForAllValues:StringLike":{"kms:EncryptionContextKeys":["app","tenant*"]}}},
              {"Sid":"DecIDX","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.IDX.0.0/16","192.168.0.0/24"]}}},
              {"Sid":"TagsIDX","Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
              {"Sid":"NoAdminIDX","Effect":"Deny","NotAction":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:Describe*","kms:List*"],"Resource":"*",
               "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}},
              {"Sid":"HoursIDX","Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2000-01-01T00:00:00Z"}}}]}
            """.Replace("IDX", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("ACCOUNT", Account, StringComparison.Ordinal)).ToArray();
        _keyPolicyText = """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:role/app"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
            """.Replace("ACCOUNT", Account, StringComparison.Ordinal);
        _identity = _identityTexts.Select(t => PolicyDocument.Parse(t)).ToList();
        _keyPolicy = PolicyDocument.Parse(_keyPolicyText);
        _context = new RequestContext("kms:Encrypt", Key, $"arn:aws:iam::{Account}:user/alice", Account)
            .With("kms:EncryptionContext:app", "app7").With("kms:EncryptionContextKeys", "app", "tenant-id")
            .With("aws:SourceIp", "10.7.1.2").With("aws:PrincipalTag/team", "red").With("aws:ResourceTag/team", "blue")
            .With("aws:MultiFactorAuthPresent", "false").With("aws:CurrentTime", "2026-11-29T12:00:00Z");
    }

    /// <summary>Evaluation only (documents already parsed).</summary>
    [Benchmark(Baseline = true)]
    public Decision Evaluate() => PolicyEvaluator.Evaluate(_context, _identity, _keyPolicy).Decision;

    /// <summary>Parsing the 11 documents and evaluating, as the authorizer does per request today.</summary>
    [Benchmark]
    public Decision ParseAndEvaluate()
        => PolicyEvaluator.Evaluate(_context, _identityTexts.Select(t => PolicyDocument.Parse(t)).ToList(), PolicyDocument.Parse(_keyPolicyText)).Decision;
}
