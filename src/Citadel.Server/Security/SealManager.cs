using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Kms.Keys;
using Citadel.Storage;

namespace Citadel.Server.Security;

/// <summary>Seal state as /health and the operator API report it.</summary>
/// <param name="Sealed">Whether no root key is loaded.</param>
/// <param name="Initialized">Whether a root key exists at all.</param>
/// <param name="Type">keyfile or shamir.</param>
/// <param name="Threshold">Shares needed (shamir).</param>
/// <param name="Shares">Shares issued (shamir).</param>
/// <param name="Progress">Shares given so far towards an unseal.</param>
public sealed record SealStatus(bool Sealed, bool Initialized, string Type, int Threshold, int Shares, int Progress);

/// <summary>Why a seal operation was refused.</summary>
public sealed class SealException(string message) : Exception(message);

/// <summary>
/// Protects the root key. <c>keyfile</c> (development): the root key in <c>root.key</c> (0600),
/// loaded at start. <c>shamir</c>: the root key exists only as k-of-n shares held by operators
/// (<c>citadel operator init</c>); the server starts sealed and unseals when k shares are given.
/// <c>seal.json</c> records the scheme and a fingerprint that checks reconstructed keys.
/// </summary>
public sealed class SealManager
{
    private readonly string _dataDirectory;
    private readonly string _type;
    private readonly RootKeyHolder _holder;
    private readonly List<byte[]> _pendingShares = [];
    private readonly Lock _lock = new();

    private sealed record SealFile(string Type, int Threshold, int Shares, string Fingerprint);

    /// <summary>Creates the manager for a data directory and seal type.</summary>
    public SealManager(string dataDirectory, string type, RootKeyHolder holder)
    {
        _dataDirectory = dataDirectory;
        _type = type;
        _holder = holder;
    }

    private string KeyFilePath => Path.Combine(_dataDirectory, "root.key");
    private string SealFilePath => Path.Combine(_dataDirectory, "seal.json");

    /// <summary>At start: loads (or, on a new directory, creates) the key file; a shamir seal stays sealed.</summary>
    public void Start()
    {
        var seal = ReadSealFile();
        if (seal is not null && seal.Type != _type)
            throw new SealException($"Citadel:Seal is '{_type}' but this data directory was initialized with the '{seal.Type}' seal.");
        if (_type != "keyfile") return;
        if (!File.Exists(KeyFilePath))
        {
            using var root = RootKey.Generate();
            var bytes = root.Export();
            try { FilePermissions.WriteSecretFile(KeyFilePath, bytes); }
            finally { CryptographicOperations.ZeroMemory(bytes); }
            WriteSealFile(new SealFile("keyfile", 0, 0, root.Fingerprint()));
        }
        LoadKeyFile();
    }

    /// <summary>The current state.</summary>
    public SealStatus Status()
    {
        var seal = ReadSealFile();
        lock (_lock)
            return new SealStatus(_holder.IsSealed, seal is not null, _type, seal?.Threshold ?? 0, seal?.Shares ?? 0, _pendingShares.Count);
    }

    /// <summary>Creates the root key and splits it into shares (shamir only, once). The server stays sealed.</summary>
    public IReadOnlyList<string> Initialize(int shares, int threshold)
    {
        if (_type != "shamir") throw new SealException("operator init is for the shamir seal (Citadel:Seal=shamir); the keyfile seal initializes itself.");
        lock (_lock)
        {
            if (ReadSealFile() is not null) throw new SealException("Citadel is already initialized.");
            if (threshold < 2 || shares < threshold || shares > 16)
                throw new SealException("Shares must be between the threshold and 16, and the threshold at least 2.");
            using var root = RootKey.Generate();
            var secret = root.Export();
            try
            {
                var split = Shamir.Split(secret, shares, threshold);
                WriteSealFile(new SealFile("shamir", threshold, shares, root.Fingerprint()));
                return split.Select(Convert.ToHexStringLower).ToList();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    /// <summary>Adds one share (shamir), or reloads the key file (keyfile; share ignored).</summary>
    public SealStatus Unseal(string? share)
    {
        var seal = ReadSealFile() ?? throw new SealException("Citadel is not initialized: run citadel operator init.");
        if (_type == "keyfile")
        {
            LoadKeyFile();
            return Status();
        }
        if (!_holder.IsSealed) return Status();
        byte[] bytes;
        try { bytes = Convert.FromHexString(share?.Trim() ?? ""); }
        catch (FormatException) { throw new SealException("The share is not valid hex."); }
        if (bytes.Length != 33) throw new SealException("The share has the wrong length.");
        lock (_lock)
        {
            if (_pendingShares.Any(s => CryptographicOperations.FixedTimeEquals(s, bytes))) return Status();
            _pendingShares.Add(bytes);
            if (_pendingShares.Count < seal.Threshold) return Status();
            byte[]? secret = null;
            try
            {
                secret = Shamir.Combine(_pendingShares);
                var root = new RootKey(secret);
                if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(root.Fingerprint()), System.Text.Encoding.ASCII.GetBytes(seal.Fingerprint)))
                {
                    root.Dispose();
                    throw new SealException("The shares do not reconstruct the root key; unseal progress was reset.");
                }
                _holder.Unseal(root);
            }
            catch (ArgumentException)
            {
                throw new SealException("The shares are malformed; unseal progress was reset.");
            }
            finally
            {
                foreach (var s in _pendingShares) CryptographicOperations.ZeroMemory(s);
                _pendingShares.Clear();
                if (secret is not null) CryptographicOperations.ZeroMemory(secret);
            }
        }
        return Status();
    }

    /// <summary>Drops the root key from memory.</summary>
    public void Seal()
    {
        lock (_lock) _pendingShares.Clear();
        _holder.Seal();
    }

    private void LoadKeyFile()
    {
        var bytes = File.ReadAllBytes(KeyFilePath);
        try
        {
            if (bytes.Length != 32) throw new SealException($"{KeyFilePath} is not a 32-byte root key.");
            var root = new RootKey(bytes);
            var seal = ReadSealFile();
            if (seal is not null && seal.Fingerprint != root.Fingerprint())
                throw new SealException($"{KeyFilePath} does not match the root key this data directory was created with.");
            _holder.Unseal(root);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private SealFile? ReadSealFile()
        => File.Exists(SealFilePath) ? JsonSerializer.Deserialize<SealFile>(File.ReadAllText(SealFilePath)) : null;

    private void WriteSealFile(SealFile seal)
        => FilePermissions.WriteSecretFile(SealFilePath, JsonSerializer.SerializeToUtf8Bytes(seal));
}
