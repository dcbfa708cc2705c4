using System.Reflection;
using Citadel.Kms;
using Citadel.Kms.Operations;
using Citadel.Server.Services;

namespace Citadel.Server.Tests.Front;

/// <summary>
/// Authorization reads request members through interfaces, not by name: every request type with such a member must
/// implement its interface, or the member would be ignored by the checks (a wider permission than intended).
/// </summary>
public sealed class RequestMemberTests
{
    public static TheoryData<string, string, Type> Members() => new()
    {
        { "kms", "KeyId", typeof(IKeyRequest) },
        { "kms", "EncryptionContext", typeof(IEncryptionContextRequest) },
        { "kms", "GrantTokens", typeof(IGrantTokensRequest) },
        { "kms", "DryRun", typeof(IDryRunRequest) },
        { "iam", "UserName", typeof(Iam.Operations.IUserRequest) },
        { "iam", "GroupName", typeof(Iam.Operations.IGroupRequest) },
        { "iam", "RoleName", typeof(Iam.Operations.IRoleRequest) },
        { "iam", "PolicyArn", typeof(Iam.Operations.IPolicyArnRequest) },
        { "iam", "Path", typeof(Iam.Operations.IPathRequest) },
        { "cloudtrail", "Name", typeof(Audit.Trails.Operations.ITrailRequest) },
        { "cloudtrail", "TrailName", typeof(Audit.Trails.Operations.ITrailRequest) },
        { "cloudtrail", "ResourceId", typeof(Audit.Trails.Operations.ITrailRequest) },
    };

    private static IEnumerable<Type> RequestTypes(string service) => service switch
    {
        "kms" => KmsOperations.All.Values.Select(o => o.RequestType).Append(typeof(GetKeyLastUsageRequest)),
        "iam" => Iam.Operations.IamOperations.All.Values.Select(o => o.RequestType),
        _ => Audit.Trails.Operations.TrailOperations.All.Values.Select(o => o.RequestType),
    };

    [Theory]
    [MemberData(nameof(Members))]
    public void EveryRequestWithTheMemberImplementsItsInterface(string service, string member, Type contract)
    {
        var types = RequestTypes(service).ToList();
        var missing = types
            .Where(t => t.GetProperty(member, BindingFlags.Public | BindingFlags.Instance) is not null && !contract.IsAssignableFrom(t))
            .Select(t => t.Name).ToList();
        Assert.Empty(missing);
        Assert.Contains(types, contract.IsAssignableFrom);
    }
}
