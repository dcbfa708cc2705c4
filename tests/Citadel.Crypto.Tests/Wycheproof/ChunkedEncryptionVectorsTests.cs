using System.IO.Compression;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>
/// Cobblestone-256 (c2sp.org/chunked-encryption) as the Wycheproof guide applies it: whole-message
/// decryption, random access through the final chunk, raw mode, and encryption with the vector's salt
/// reproducing the ciphertext byte for byte.
/// </summary>
public sealed class ChunkedEncryptionVectorsTests(ITestOutputHelper output)
{
    private const string File = "c2sp_chunked_encryption_aes_256_gcm_test.json";

    [Fact]
    public void Decryption_matches_wycheproof()
    {
        var tally = new VectorTally(File);
        foreach (var test in WycheproofFile.Load(File))
            tally.Check(test, () => Decrypts(test));
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun: 35);
    }

    [Fact]
    public void Encryption_with_the_vector_salt_reproduces_the_ciphertext_and_raw_mode_matches()
    {
        var checkedCount = 0;
        foreach (var test in WycheproofFile.Load(File).Where(t => t.Result == WycheproofResult.Valid))
        {
            var ciphertext = Inflate(test.Bytes("ct"));
            var message = ChunkedAead.Decrypt(test.Bytes("key"), test.Bytes("ctx"), ciphertext);

            var header = ciphertext[..ChunkedAead.HeaderSize].ToArray();
            Array.Clear(header, ChunkedAead.SaltSize, ChunkedAead.CommitmentSize);
            var chunks = new byte[ChunkedAead.ChunkAreaLength(message.Length)];
            using (var aead = ChunkedAead.ForEncryptionWithSalt(test.Bytes("key"), test.Bytes("ctx"), header))
                aead.SealAll(message, chunks);
            byte[] reproduced = [.. header, .. chunks];
            Assert.Equal(ciphertext, reproduced);

            using var raw = ChunkedAead.Raw(test.Bytes("aeadKey"), test.Bytes("baseNonce"));
            var rawChunks = new byte[chunks.Length];
            raw.SealAll(message, rawChunks);
            Assert.Equal(chunks, rawChunks);
            Assert.Equal(message, raw.OpenAll(ciphertext.AsSpan(ChunkedAead.HeaderSize)));
            checkedCount++;
        }
        Assert.True(checkedCount >= 5, $"only {checkedCount} valid vectors");
    }

    [Fact]
    public void Final_chunk_authenticates_the_length_except_where_only_other_chunks_are_bad()
    {
        foreach (var test in WycheproofFile.Load(File))
        {
            if (test.Flags.Contains("HeaderFailure") || test.Flags.Contains("InvalidKeySize")) continue;
            var ciphertext = Inflate(test.Bytes("ct"));
            bool authenticated;
            try
            {
                using var aead = ChunkedAead.ForDecryption(test.Bytes("key"), test.Bytes("ctx"), ciphertext.AsSpan(0, ChunkedAead.HeaderSize));
                var area = ciphertext.AsSpan(ChunkedAead.HeaderSize);
                var length = ChunkedAead.PlaintextLengthOfChunkArea(area.Length);
                if (length < 0) throw new AuthenticationFailedException();
                var last = ChunkedAead.ChunkCount(length) - 1;
                var sealedLast = area[(int)ChunkedAead.ChunkOffset(last)..];
                aead.OpenChunk(last, sealedLast, new byte[sealedLast.Length - ChunkedAead.TagSize]);
                authenticated = true;
            }
            catch (AuthenticationFailedException)
            {
                authenticated = false;
            }
            var expected = test.Result == WycheproofResult.Valid || test.Flags.Contains("ValidFinalChunk");
            Assert.True(expected == authenticated, $"{test}: final chunk authenticated = {authenticated}");
        }
    }

    private static bool Decrypts(WycheproofCase test)
    {
        var message = ChunkedAead.Decrypt(test.Bytes("key"), test.Bytes("ctx"), Inflate(test.Bytes("ct")));
        return message.Length == test.Int("msgLength")
            && Convert.ToHexStringLower(SHA512.HashData(message)) == Convert.ToHexStringLower(test.Bytes("msgSha512"));
    }

    private static byte[] Inflate(byte[] compressed)
    {
        using var input = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var result = new MemoryStream();
        input.CopyTo(result);
        return result.ToArray();
    }
}
