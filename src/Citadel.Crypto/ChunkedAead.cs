using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Citadel.Crypto;

/// <summary>
/// Cobblestone-256, the chunked encryption of c2sp.org/chunked-encryption (v1) with AES-256-GCM and
/// HKDF-Expand-SHA-512: a 24-byte salt and a 32-byte key commitment in front, then the message in
/// 16 KiB chunks, each sealed under the derived key with the base nonce XOR the chunk index (big-endian,
/// 40 bits); the final chunk is always shorter than 16 KiB (possibly empty), which is what makes
/// truncation, extension and reordering fail. Chunk <c>k</c> sits at a fixed offset, so a range of the
/// plaintext is decrypted by opening only the chunks that cover it. Passes the Wycheproof
/// <c>c2sp_chunked_encryption_aes_256_gcm</c> vectors.
/// </summary>
public sealed class ChunkedAead : IDisposable
{
    /// <summary>Plaintext bytes per full chunk.</summary>
    public const int ChunkSize = 16384;
    /// <summary>Tag bytes per chunk.</summary>
    public const int TagSize = 16;
    /// <summary>Salt bytes at the start of the ciphertext.</summary>
    public const int SaltSize = 24;
    /// <summary>Commitment bytes after the salt.</summary>
    public const int CommitmentSize = 32;
    /// <summary>Salt and commitment.</summary>
    public const int HeaderSize = SaltSize + CommitmentSize;
    /// <summary>Ciphertext bytes of a full chunk.</summary>
    public const int SealedChunkSize = ChunkSize + TagSize;

    private const long MaxChunks = 1L << 40;
    private static readonly byte[] InfoPrefix = Encoding.ASCII.GetBytes("c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0");

    private readonly AesGcm _gcm;
    private readonly byte[] _baseNonce;

    private ChunkedAead(ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce)
    {
        _gcm = new AesGcm(key, TagSize);
        _baseNonce = baseNonce.ToArray();
    }

    /// <summary>Starts a message: draws a salt and writes the 56-byte header into <paramref name="header"/>.</summary>
    public static ChunkedAead ForEncryption(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, IRandom random, Span<byte> header)
    {
        if (header.Length != HeaderSize) throw new ArgumentException("The header is 56 bytes.", nameof(header));
        random.Fill(header[..SaltSize]);
        return ForEncryptionWithSalt(inputKey, context, header);
    }

    /// <summary>Starts a message with a given salt (the first 24 bytes of <paramref name="header"/>); for known-answer tests.</summary>
    public static ChunkedAead ForEncryptionWithSalt(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, Span<byte> header)
    {
        Span<byte> derived = stackalloc byte[AesGcm256.KeySize + AesGcm256.NonceSize + CommitmentSize];
        Derive(inputKey, header[..SaltSize], context, derived);
        derived[(AesGcm256.KeySize + AesGcm256.NonceSize)..].CopyTo(header[SaltSize..]);
        try { return new ChunkedAead(derived[..AesGcm256.KeySize], derived.Slice(AesGcm256.KeySize, AesGcm256.NonceSize)); }
        finally { CryptographicOperations.ZeroMemory(derived); }
    }

    /// <summary>Opens a message: checks the header's commitment (constant time) before any chunk is decrypted.</summary>
    public static ChunkedAead ForDecryption(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> header)
    {
        if (header.Length != HeaderSize) throw new AuthenticationFailedException();
        Span<byte> derived = stackalloc byte[AesGcm256.KeySize + AesGcm256.NonceSize + CommitmentSize];
        Derive(inputKey, header[..SaltSize], context, derived);
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(derived[(AesGcm256.KeySize + AesGcm256.NonceSize)..], header[SaltSize..]))
                throw new AuthenticationFailedException();
            return new ChunkedAead(derived[..AesGcm256.KeySize], derived.Slice(AesGcm256.KeySize, AesGcm256.NonceSize));
        }
        finally { CryptographicOperations.ZeroMemory(derived); }
    }

    /// <summary>Raw mode (the spec's appendix): key and base nonce given directly, no header. For known-answer tests.</summary>
    public static ChunkedAead Raw(ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce)
    {
        if (key.Length != AesGcm256.KeySize || baseNonce.Length != AesGcm256.NonceSize)
            throw new ArgumentException("Raw mode needs a 32-byte key and a 12-byte base nonce.");
        return new ChunkedAead(key, baseNonce);
    }

    private static void Derive(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> context, Span<byte> output)
    {
        if (inputKey.Length != AesGcm256.KeySize) throw new ArgumentException("The input key is 32 bytes.", nameof(inputKey));
        var info = new byte[InfoPrefix.Length + SaltSize + context.Length];
        InfoPrefix.CopyTo(info, 0);
        salt.CopyTo(info.AsSpan(InfoPrefix.Length));
        context.CopyTo(info.AsSpan(InfoPrefix.Length + SaltSize));
        ExpandSha512(inputKey, info, output);
    }

    // HKDF-Expand (RFC 5869 section 2.3) with HMAC-SHA-512. The platform's HKDF.Expand refuses a PRK shorter
    // than the hash (64 bytes), but the spec expands the 32-byte input key directly, which RFC 5869 allows.
    private static void ExpandSha512(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Span<byte> block = stackalloc byte[HMACSHA512.HashSizeInBytes];
        var input = new byte[HMACSHA512.HashSizeInBytes + info.Length + 1];
        var previous = 0;
        for (byte counter = 1, written = 0; written < output.Length; counter++)
        {
            block[..previous].CopyTo(input);
            info.CopyTo(input.AsSpan(previous));
            input[previous + info.Length] = counter;
            HMACSHA512.HashData(prk, input.AsSpan(0, previous + info.Length + 1), block);
            var take = Math.Min(block.Length, output.Length - written);
            block[..take].CopyTo(output[written..]);
            written += (byte)take;
            previous = block.Length;
        }
        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>Seals chunk <paramref name="index"/>; <paramref name="output"/> is the plaintext length + 16.</summary>
    public void SealChunk(long index, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        if (plaintext.Length > ChunkSize) throw new ArgumentException("A chunk holds at most 16 KiB.", nameof(plaintext));
        if (output.Length != plaintext.Length + TagSize) throw new ArgumentException("Output must be plaintext length + 16.", nameof(output));
        Span<byte> nonce = stackalloc byte[AesGcm256.NonceSize];
        Nonce(index, nonce);
        _gcm.Encrypt(nonce, plaintext, output[..plaintext.Length], output[plaintext.Length..]);
    }

    /// <summary>Opens chunk <paramref name="index"/>; throws <see cref="AuthenticationFailedException"/> when it does not verify.</summary>
    public void OpenChunk(long index, ReadOnlySpan<byte> sealedChunk, Span<byte> plaintext)
    {
        if (sealedChunk.Length < TagSize || sealedChunk.Length > SealedChunkSize || plaintext.Length != sealedChunk.Length - TagSize)
            throw new AuthenticationFailedException();
        Span<byte> nonce = stackalloc byte[AesGcm256.NonceSize];
        Nonce(index, nonce);
        try
        {
            _gcm.Decrypt(nonce, sealedChunk[..^TagSize], sealedChunk[^TagSize..], plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AuthenticationFailedException();
        }
    }

    private void Nonce(long index, Span<byte> nonce)
    {
        if (index < 0 || index >= MaxChunks) throw new ArgumentOutOfRangeException(nameof(index), "The chunk counter is limited to 2^40.");
        _baseNonce.CopyTo(nonce);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ (ulong)index;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }

    /// <summary>The number of chunks of a message: full chunks plus the always-short final one.</summary>
    public static long ChunkCount(long plaintextLength) => plaintextLength / ChunkSize + 1;

    /// <summary>The ciphertext length (with header) of a message.</summary>
    public static long CiphertextLength(long plaintextLength) => HeaderSize + plaintextLength + ChunkCount(plaintextLength) * TagSize;

    /// <summary>The ciphertext length without the header (raw mode, or the chunk area).</summary>
    public static long ChunkAreaLength(long plaintextLength) => plaintextLength + ChunkCount(plaintextLength) * TagSize;

    /// <summary>The plaintext length a chunk area of this length holds, or -1 when no message has that length (truncated or extended).</summary>
    public static long PlaintextLengthOfChunkArea(long chunkAreaLength)
    {
        if (chunkAreaLength < TagSize) return -1;
        var fullChunks = chunkAreaLength / SealedChunkSize;
        var last = chunkAreaLength - fullChunks * SealedChunkSize;
        return last < TagSize ? -1 : fullChunks * ChunkSize + (last - TagSize);
    }

    /// <summary>Offset of chunk <paramref name="index"/> in the chunk area.</summary>
    public static long ChunkOffset(long index) => index * SealedChunkSize;

    /// <summary>Encrypts a whole message (header and chunks).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, IRandom random)
    {
        var output = new byte[CiphertextLength(message.Length)];
        using var aead = ForEncryption(inputKey, context, random, output.AsSpan(0, HeaderSize));
        aead.SealAll(message, output.AsSpan(HeaderSize));
        return output;
    }

    /// <summary>Seals a whole message into a chunk area of <see cref="ChunkAreaLength"/> bytes.</summary>
    public void SealAll(ReadOnlySpan<byte> message, Span<byte> chunkArea)
    {
        var chunks = ChunkCount(message.Length);
        for (long i = 0; i < chunks; i++)
        {
            var start = (int)(i * ChunkSize);
            var length = (int)Math.Min(ChunkSize, message.Length - start);
            SealChunk(i, message.Slice(start, length), chunkArea.Slice((int)ChunkOffset(i), length + TagSize));
        }
    }

    /// <summary>Decrypts a whole message (header and chunks); throws <see cref="AuthenticationFailedException"/> on any defect.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < HeaderSize) throw new AuthenticationFailedException();
        using var aead = ForDecryption(inputKey, context, ciphertext[..HeaderSize]);
        return aead.OpenAll(ciphertext[HeaderSize..]);
    }

    /// <summary>Opens a whole chunk area; throws <see cref="AuthenticationFailedException"/> on any defect.</summary>
    public byte[] OpenAll(ReadOnlySpan<byte> chunkArea)
    {
        var length = PlaintextLengthOfChunkArea(chunkArea.Length);
        if (length < 0) throw new AuthenticationFailedException();
        var message = new byte[length];
        var chunks = ChunkCount(length);
        for (long i = 0; i < chunks; i++)
        {
            var start = (int)(i * ChunkSize);
            var plain = (int)Math.Min(ChunkSize, length - start);
            OpenChunk(i, chunkArea.Slice((int)ChunkOffset(i), plain + TagSize), message.AsSpan(start, plain));
        }
        return message;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_baseNonce);
    }
}
