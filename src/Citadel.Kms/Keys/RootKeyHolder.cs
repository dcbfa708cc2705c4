using Citadel.Crypto;

namespace Citadel.Kms.Keys;

/// <summary>
/// Holds the root key while the server is unsealed. Sealing drops it (and every cached unwrapped
/// key with it); every key operation on a sealed server fails with a clear error.
/// </summary>
public sealed class RootKeyHolder
{
    private RootKey? _root;

    /// <summary>Raised after the seal state changes, so caches of unwrapped keys can be cleared.</summary>
    public event Action? SealStateChanged;

    /// <summary>Whether no root key is loaded.</summary>
    public bool IsSealed => Volatile.Read(ref _root) is null;

    /// <summary>The root key, or a <see cref="KmsException"/> when sealed.</summary>
    public RootKey Current => Volatile.Read(ref _root)
        ?? throw new KmsException(KmsErrorCode.Sealed, "Citadel is sealed: key material is unavailable until an operator unseals it (citadel operator unseal).");

    /// <summary>Loads the root key.</summary>
    public void Unseal(RootKey root)
    {
        Interlocked.Exchange(ref _root, root)?.Dispose();
        SealStateChanged?.Invoke();
    }

    /// <summary>Drops the root key.</summary>
    public void Seal()
    {
        Interlocked.Exchange(ref _root, null)?.Dispose();
        SealStateChanged?.Invoke();
    }
}
