using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// A read opens the stored range once, not once per 16 chunks: on an S3 backend every open is a ranged GET, so a 1 MiB
/// read would otherwise cost five requests and a 256 MiB read a thousand. A read from the first chunk takes the header,
/// its chunks and the blob's length from that one open; a read further in opens the header (with the length) and its range.
/// </summary>
public sealed class ReadOpensTests : IDisposable
{
    private readonly CountingBlobStore _blobs;
    private readonly TestObjects _t;

    public ReadOpensTests()
    {
        _blobs = new CountingBlobStore(new LocalBlobStore(Path.Combine(Path.GetTempPath(), "citadel-read-opens-" + Guid.NewGuid().ToString("N"))));
        _t = new TestObjects(_blobs);
        _t.Layer.CreateBucket("bucket", null);
    }

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData(0, 1 << 20, 1)]
    [InlineData(16383, 700_001, 1)]
    [InlineData(5, 5, 1)]
    [InlineData(16384, 16385, 2)]
    [InlineData(700_000, 1 << 20, 2)]
    public async Task A_read_opens_the_blob_once_from_the_first_chunk_and_twice_from_further_in_and_never_asks_the_length_apart(int start, int end, int opens)
    {
        var data = TestObjects.RandomBytes(1 << 20);
        await _t.PutAsync("bucket", "k", data);
        _blobs.Opens = 0;
        _blobs.Lengths = 0;
        Assert.Equal(data[start..end], await _t.GetAsync("bucket", "k", start, end));
        Assert.Equal(opens, _blobs.Opens);
        Assert.Equal(0, _blobs.Lengths);
    }

    private sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
    {
        public int Opens { get; set; }
        public int Lengths { get; set; }

        public Task<BlobRead> OpenReadWithLengthAsync(string name, long offset, long length, CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenReadWithLengthAsync(name, offset, length, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(string name, long offset, long length, CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenReadAsync(name, offset, length, cancellationToken);
        }

        public Task<long> WriteAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken) => inner.WriteAsync(name, produce, cancellationToken);
        public Task<long> LengthAsync(string name, CancellationToken cancellationToken)
        {
            Lengths++;
            return inner.LengthAsync(name, cancellationToken);
        }
        public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);
        public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
    }
}
