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
    public static TheoryData<string, Type> Members() => new()
    {
        { "KeyId", typeof(IKeyRequest) },
        { "EncryptionContext", typeof(IEncryptionContextRequest) },
        { "GrantTokens", typeof(IGrantTokensRequest) },
        { "DryRun", typeof(IDryRunRequest) },
    };

    private static IEnumerable<Type> RequestTypes()
    {
        foreach (var operation in KmsOperations.All.Values) yield return operation.RequestType;
        yield return typeof(GetKeyLastUsageRequest);
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void EveryRequestWithTheMemberImplementsItsInterface(string member, Type contract)
    {
        var missing = RequestTypes()
            .Where(t => t.GetProperty(member, BindingFlags.Public | BindingFlags.Instance) is not null && !contract.IsAssignableFrom(t))
            .Select(t => t.Name).ToList();
        Assert.Empty(missing);
        Assert.Contains(RequestTypes(), contract.IsAssignableFrom);
    }
}
