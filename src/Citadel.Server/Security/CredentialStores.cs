using Citadel.Iam;

namespace Citadel.Server.Security;

/// <summary>Looks an access key up in each store in turn: the administrator, then IAM users.</summary>
public sealed class CompositeCredentialStore(params ICredentialStore[] stores) : ICredentialStore
{
    /// <inheritdoc />
    public Credential? Find(string accessKeyId)
    {
        foreach (var store in stores)
        {
            if (store.Find(accessKeyId) is { } credential) return credential;
        }
        return null;
    }
}
