using Citadel.ObjectStore;

namespace Citadel.Server.Services.S3;

/// <summary>
/// The check S3 makes of a version id a request names (<c>?versionId=</c>, the <c>versionId</c> of
/// <c>x-amz-copy-source</c>): S3's version ids, and Citadel's (URL-safe base64, or <c>null</c>), are printable ASCII,
/// so anything else cannot name a version. Checked before it is used, because a version id is echoed back in the
/// <c>x-amz-version-id</c> header, which cannot carry a control character.
/// </summary>
public static class VersionIds
{
    /// <summary>Throws InvalidArgument (S3's messages) unless <paramref name="versionId"/> could be a version id.</summary>
    /// <param name="versionId">The decoded version id.</param>
    public static void Validate(string versionId)
    {
        if (versionId.Length == 0)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Version id cannot be the empty string");
        foreach (var c in versionId)
        {
            if (c is <= ' ' or >= '\x7f')
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Invalid version id specified");
        }
    }
}
