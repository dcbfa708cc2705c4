using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Citadel.ObjectStore;

/// <summary>
/// The S3 flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) of a body, computed as it streams,
/// in S3's encoding: base64 of the big-endian value.
/// </summary>
public sealed class ObjectChecksums : IDisposable
{
    /// <summary>The algorithms S3 accepts for uploads, by their header suffix names.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

    private readonly Dictionary<string, object> _hashers = new(StringComparer.Ordinal);

    /// <summary>Computes the given algorithms (upper-case names from <see cref="Algorithms"/>).</summary>
    public ObjectChecksums(IEnumerable<string> algorithms)
    {
        foreach (var algorithm in algorithms.Distinct())
        {
            _hashers[algorithm] = algorithm switch
            {
                "CRC32" => new Crc32(),
                "CRC32C" => new Crc32(Crc32ParameterSet.Crc32C),
                "CRC64NVME" => new Crc64(Crc64ParameterSet.Nvme),
                "SHA1" => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
                "SHA256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
                _ => throw new ObjectStoreException(ObjectStoreError.InvalidRequest, $"Checksum algorithm {algorithm} is not supported."),
            };
        }
    }

    /// <summary>The algorithms being computed.</summary>
    public IEnumerable<string> Computed => _hashers.Keys;

    /// <summary>Adds body bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        foreach (var hasher in _hashers.Values)
        {
            switch (hasher)
            {
                case NonCryptographicHashAlgorithm crc: crc.Append(data); break;
                case IncrementalHash hash: hash.AppendData(data); break;
            }
        }
    }

    /// <summary>The base64 value of one algorithm, for the bytes appended so far.</summary>
    public string Value(string algorithm)
    {
        switch (_hashers[algorithm])
        {
            case Crc32 crc32:
                {
                    var bytes = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(bytes, crc32.GetCurrentHashAsUInt32());
                    return Convert.ToBase64String(bytes);
                }
            case Crc64 crc64:
                {
                    var bytes = new byte[8];
                    BinaryPrimitives.WriteUInt64BigEndian(bytes, crc64.GetCurrentHashAsUInt64());
                    return Convert.ToBase64String(bytes);
                }
            case IncrementalHash hash:
                return Convert.ToBase64String(hash.GetCurrentHash());
            default:
                throw new InvalidOperationException();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var hasher in _hashers.Values) (hasher as IDisposable)?.Dispose();
    }
}
