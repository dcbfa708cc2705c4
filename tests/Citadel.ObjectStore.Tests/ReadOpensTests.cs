using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// A read opens the stored range once (plus the header), not once per 16 chunks: on an S3 backend every open is a
/// ranged GET, so a 1 MiB read would otherwise cost five requests and a 256 MiB read a thousand.
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
    [InlineData(0, 1 << 20)]
    [InlineData(16383, 700_001)]
    public async Task A_read_opens_the_header_and_then_its_range_once(int start, int end)
    {
        var data = TestObjects.RandomBytes(1 << 20);
        await _t.PutAsync("bucket", "k", data);
        _blobs.Opens = 0;
        Assert.Equal(data[start..end], await _t.GetAsync("bucket", "k", start, end));
        Assert.Equal(2, _blobs.Opens);
    }

    private sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
    {
        public int Opens { get; set; }

        public Task<Stream> OpenReadAsync(string name, long offset, long length, CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenReadAsync(name, offset, length, cancellationToken);
        }

        public Task<long> WriteAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken) => inner.WriteAsync(name, produce, cancellationToken);
        public Task<long> LengthAsync(string name, CancellationToken cancellationToken) => inner.LengthAsync(name, cancellationToken);
        public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);
        public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
    }
}
