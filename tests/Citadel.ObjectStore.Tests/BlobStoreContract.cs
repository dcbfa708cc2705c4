using Citadel.Crypto;
using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// The behaviour every blob store backend must have (<see cref="IBlobStore"/>); each backend's test class
/// derives from this and gives a fresh, empty store.
/// </summary>
public abstract class BlobStoreContract
{
    /// <summary>A store that holds no blob when the test starts.</summary>
    protected abstract IBlobStore Store { get; }

    /// <summary>Traces of unfinished writes the backend keeps outside its blobs (temporary files, pending multipart uploads).</summary>
    protected abstract Task<IReadOnlyList<string>> LeftoversAsync();

    /// <summary>Larger than one write buffer or multipart part of the backend.</summary>
    protected const int LargeSize = 40 << 20;

    private static readonly CancellationToken None = CancellationToken.None;

    protected static string NewName() => BlobNames.New(DateTimeOffset.UtcNow, SystemRandom.Instance);

    protected static byte[] RandomBytes(int length) => SystemRandom.Instance.GetBytes(length);

    /// <summary>Writes <paramref name="data"/> in writes of <paramref name="writeSize"/> bytes.</summary>
    protected Task<long> WriteAsync(string name, byte[] data, int writeSize = 1 << 16)
        => Store.WriteAsync(name, async (output, ct) =>
        {
            for (var offset = 0; offset < data.Length; offset += writeSize)
                await output.WriteAsync(data.AsMemory(offset, Math.Min(writeSize, data.Length - offset)), ct);
        }, None);

    protected async Task<byte[]> ReadAsync(string name, long offset, long length)
    {
        var stream = await Store.OpenReadAsync(name, offset, length, None);
        await using (stream)
        {
            using var result = new MemoryStream();
            await stream.CopyToAsync(result, None);
            return result.ToArray();
        }
    }

    protected async Task<List<string>> ListAsync()
    {
        var names = new List<string>();
        await foreach (var name in Store.ListAsync(None)) names.Add(name);
        return names;
    }

    /// <summary>Compares without xunit's element-by-element rendering, which is slow for megabytes.</summary>
    protected static void AssertSlice(byte[] data, int offset, int length, byte[] actual)
        => Assert.True(data.AsSpan(offset, length).SequenceEqual(actual), $"range {offset}+{length}: {actual.Length} bytes read, content differs");

    private async Task AssertNothingLeftAsync(string name)
    {
        Assert.Equal(-1, await Store.LengthAsync(name, None));
        Assert.Empty(await ListAsync());
        Assert.Empty(await LeftoversAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(300_000)]
    public async Task A_written_blob_reads_back_whole_with_its_length(int size)
    {
        var data = RandomBytes(size);
        var name = NewName();
        Assert.Equal(size, await WriteAsync(name, data));
        Assert.Equal(size, await Store.LengthAsync(name, None));
        Assert.Equal(data, await ReadAsync(name, 0, size));
    }

    [Fact]
    public async Task An_empty_blob_exists_with_length_zero()
    {
        var name = NewName();
        Assert.Equal(0, await Store.WriteAsync(name, (_, _) => Task.CompletedTask, None));
        Assert.Equal(0, await Store.LengthAsync(name, None));
        Assert.Empty(await ReadAsync(name, 0, 0));
        Assert.Equal([name], await ListAsync());
    }

    [Fact]
    public async Task Ranged_reads_return_exactly_the_bytes_at_any_offset()
    {
        var data = RandomBytes(200_003);
        var name = NewName();
        await WriteAsync(name, data, writeSize: 4099);
        var ranges = new List<(int Offset, int Length)> { (0, 1), (0, data.Length), (1, 16384), (16383, 2), (65536, 65536), (data.Length - 1, 1), (12345, 0) };
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            var offset = random.Next(data.Length);
            ranges.Add((offset, random.Next(data.Length - offset + 1)));
        }
        foreach (var (offset, length) in ranges)
            AssertSlice(data, offset, length, await ReadAsync(name, offset, length));
    }

    [Fact]
    public async Task A_range_past_the_end_returns_only_the_bytes_that_exist()
    {
        var data = RandomBytes(1000);
        var name = NewName();
        await WriteAsync(name, data);
        Assert.Equal(data[900..], await ReadAsync(name, 900, 500));
        Assert.Empty(await ReadAsync(name, 1000, 10));
    }

    [Fact]
    public async Task A_missing_blob_has_length_minus_one_and_does_not_open()
    {
        var name = NewName();
        Assert.Equal(-1, await Store.LengthAsync(name, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync(name, 0, 10, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync(name, 0, 0, None));
    }

    [Theory]
    [InlineData(0, 56)]
    [InlineData(0, 300_000)]
    [InlineData(1000, 5000)]
    [InlineData(299_990, 100)]
    [InlineData(300_000, 10)]
    [InlineData(400_000, 10)]
    [InlineData(5, 0)]
    public async Task Opening_with_the_length_reads_the_range_and_tells_the_whole_length(int offset, int length)
    {
        var data = RandomBytes(300_000);
        var name = NewName();
        await WriteAsync(name, data);
        var opened = await Store.OpenReadWithLengthAsync(name, offset, length, None);
        await using (opened.Content)
        {
            Assert.Equal(data.Length, opened.BlobLength);
            using var result = new MemoryStream();
            await opened.Content.CopyToAsync(result, None);
            var expected = Math.Clamp(data.Length - offset, 0, length);
            AssertSlice(data, Math.Min(offset, data.Length), expected, result.ToArray());
        }
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadWithLengthAsync(NewName(), offset, length, None));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_is_idempotent()
    {
        var name = NewName();
        await WriteAsync(name, RandomBytes(100));
        await Store.DeleteAsync(name, None);
        Assert.Equal(-1, await Store.LengthAsync(name, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync(name, 0, 100, None));
        await Store.DeleteAsync(name, None);
        await Store.DeleteAsync(NewName(), None);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task List_names_every_blob_once()
    {
        Assert.Empty(await ListAsync());
        var names = Enumerable.Range(0, 5).Select(_ => NewName()).ToList();
        foreach (var name in names) await WriteAsync(name, RandomBytes(10));
        await Store.DeleteAsync(names[2], None);
        names.RemoveAt(2);
        Assert.Equal(names.Order(StringComparer.Ordinal), (await ListAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_produce_that_throws_before_writing_leaves_nothing()
    {
        var name = NewName();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store.WriteAsync(name, (_, _) => throw new InvalidDataException("bad body"), None));
        Assert.Equal("bad body", error.Message);
        await AssertNothingLeftAsync(name);
    }

    [Fact]
    public async Task A_produce_that_throws_after_writing_more_than_a_part_leaves_nothing()
    {
        var name = NewName();
        var data = RandomBytes(LargeSize / 2);
        await Assert.ThrowsAsync<InvalidDataException>(() => Store.WriteAsync(name, async (output, ct) =>
        {
            await output.WriteAsync(data, ct);
            throw new InvalidDataException("digest mismatch");
        }, None));
        await AssertNothingLeftAsync(name);
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing()
    {
        var name = NewName();
        using var cancel = new CancellationTokenSource();
        var data = RandomBytes(1 << 20);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.WriteAsync(name, async (output, ct) =>
        {
            for (var i = 0; i < 30; i++)
            {
                await output.WriteAsync(data, ct);
                if (i == 20) await cancel.CancelAsync();
            }
        }, cancel.Token));
        await AssertNothingLeftAsync(name);
    }

    [Fact]
    public async Task A_large_blob_round_trips_across_parts()
    {
        var data = RandomBytes(LargeSize + 12345);
        var name = NewName();
        Assert.Equal(data.Length, await WriteAsync(name, data, writeSize: 1 << 20));
        Assert.Equal(data.Length, await Store.LengthAsync(name, None));
        AssertSlice(data, 0, data.Length, await ReadAsync(name, 0, data.Length));
        // Around the 16 MiB boundaries and at the tail.
        foreach (var (offset, length) in new[] { ((16 << 20) - 100, 200), ((32 << 20) - 1, 2), (data.Length - 5000, 5000) })
            AssertSlice(data, offset, length, await ReadAsync(name, offset, length));
        Assert.Empty(await LeftoversAsync());
    }

    [Fact]
    public async Task Concurrent_writes_of_different_blobs_all_land()
    {
        var blobs = Enumerable.Range(0, 8).Select(i => (Name: NewName(), Data: RandomBytes(100_000 + i * 50_000))).ToList();
        await Task.WhenAll(blobs.Select(b => Task.Run(() => WriteAsync(b.Name, b.Data, writeSize: 8192))));
        foreach (var (name, data) in blobs)
            Assert.Equal(data, await ReadAsync(name, 0, data.Length));
        Assert.Equal(blobs.Select(b => b.Name).Order(StringComparer.Ordinal), (await ListAsync()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("ABCDEF0123")]
    [InlineData("abc")]
    [InlineData("0123456789/abcdef")]
    public async Task Names_that_are_not_blob_names_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(name, [1]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.LengthAsync(name, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(name, 0, 1, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(name, None));
    }
}
