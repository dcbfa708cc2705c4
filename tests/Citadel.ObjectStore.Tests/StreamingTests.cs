using Citadel.Crypto;
using Citadel.ObjectStore.Encryption;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// The decrypting reader decrypts whole chunks straight into a caller's buffer that holds them and keeps a buffer of
/// its own for chunks cut by a range edge or reads smaller than a chunk; the encrypting writer seals whole chunks
/// straight from the caller's buffer. Every way of reading and writing gives the same bytes, and damage fails either way.
/// </summary>
public sealed class StreamingTests : IDisposable
{
    private const int Size = 5 * ChunkedAead.ChunkSize + 1234;
    private readonly TestObjects _t = new();

    public StreamingTests() => _t.Layer.CreateBucket("bucket", null);

    public void Dispose() => _t.Dispose();

    public static TheoryData<int, int, int> Reads()
    {
        var reads = new TheoryData<int, int, int>();
        int[] buffers = [1, 1000, ChunkedAead.ChunkSize - 1, ChunkedAead.ChunkSize, ChunkedAead.ChunkSize + 1, 3 * ChunkedAead.ChunkSize + 5, 256 * 1024];
        (int, int)[] ranges = [(0, Size), (0, 5 * ChunkedAead.ChunkSize), (1, Size - 1), (ChunkedAead.ChunkSize, 2 * ChunkedAead.ChunkSize),
            (ChunkedAead.ChunkSize - 1, 3 * ChunkedAead.ChunkSize + 1), (5 * ChunkedAead.ChunkSize, Size), (Size - 1, Size), (7, 9)];
        foreach (var buffer in buffers)
            foreach (var (start, end) in ranges)
                reads.Add(buffer, start, end);
        return reads;
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Every_read_size_returns_exactly_the_range(int bufferSize, int start, int end)
    {
        var data = TestObjects.RandomBytes(Size);
        await _t.PutAsync("bucket", "k", data);
        Assert.Equal(data[start..end], await ReadAsync(start, end, bufferSize));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(ChunkedAead.ChunkSize)]
    [InlineData(256 * 1024)]
    public async Task A_damaged_chunk_fails_the_read_that_reaches_it_and_returns_none_of_its_batch(int bufferSize)
    {
        var data = TestObjects.RandomBytes(Size);
        var record = await _t.PutAsync("bucket", "k", data);
        var path = Directory.EnumerateFiles(Path.Combine(_t.Directory, "objects", "blobs"), record.Segments[0].Blob, SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[ChunkedAead.HeaderSize + 2 * ChunkedAead.SealedChunkSize + 100] ^= 0x80;
        await File.WriteAllBytesAsync(path, bytes);

        var read = await _t.Layer.ReadAsync(_t.Layer.HeadObject("bucket", "k"), 0, Size, null, CancellationToken.None);
        await using var content = read.Content;
        var buffer = new byte[bufferSize];
        long returned = 0;
        var error = await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            int n;
            while ((n = await content.ReadAsync(buffer)) > 0)
            {
                Assert.Equal(data.AsSpan((int)returned, n), buffer.AsSpan(0, n));
                returned += n;
            }
        });
        Assert.Equal(ObjectStoreError.ObjectCorrupted, error.Error);
        Assert.True(returned <= 2 * ChunkedAead.ChunkSize, $"{returned} bytes were returned; the damaged chunk starts at {2 * ChunkedAead.ChunkSize}.");
    }

    public static TheoryData<int, int> Writes() => new()
    {
        { 0, 1 }, { 1, 1 }, { ChunkedAead.ChunkSize, 1 }, { ChunkedAead.ChunkSize, ChunkedAead.ChunkSize }, { ChunkedAead.ChunkSize, ChunkedAead.ChunkSize + 1 },
        { 2 * ChunkedAead.ChunkSize, 7 }, { 2 * ChunkedAead.ChunkSize, 2 * ChunkedAead.ChunkSize }, { 3 * ChunkedAead.ChunkSize + 5, ChunkedAead.ChunkSize + 1 },
        { 200 * ChunkedAead.ChunkSize, 65536 }, { 200 * ChunkedAead.ChunkSize + 3, 1 << 22 }, { 130 * ChunkedAead.ChunkSize, ChunkedAead.ChunkSize - 1 },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Every_write_size_produces_the_one_message_of_the_plaintext(int size, int writeSize)
    {
        var data = TestObjects.RandomBytes(size);
        var key = TestObjects.RandomBytes(32);
        byte[] context = [1, 2, 3];
        using var output = new MemoryStream();
        await using (var writer = new EncryptingStream(output, key, context, SystemRandom.Instance))
        {
            for (var offset = 0; offset < size; offset += writeSize)
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(writeSize, size - offset)));
            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal(size, writer.PlaintextLength);
        }
        Assert.Equal(ChunkedAead.CiphertextLength(size), output.Length);
        Assert.Equal(data, ChunkedAead.Decrypt(key, context, output.ToArray()));
    }

    private async Task<byte[]> ReadAsync(long start, long end, int bufferSize)
    {
        var read = await _t.Layer.ReadAsync(_t.Layer.HeadObject("bucket", "k"), start, end, null, CancellationToken.None);
        await using var content = read.Content;
        using var result = new MemoryStream();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = await content.ReadAsync(buffer)) > 0) result.Write(buffer, 0, n);
        return result.ToArray();
    }
}
