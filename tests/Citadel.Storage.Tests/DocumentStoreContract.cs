namespace Citadel.Storage.Tests;

/// <summary>The behaviour every metadata backend must have; each backend's test class derives from this.</summary>
public abstract class DocumentStoreContract
{
    protected abstract IDocumentStore Store { get; }

    [Fact]
    public async Task MissingDocumentIsNull() => Assert.Null(await Store.GetAsync("c", "missing"));

    [Fact]
    public async Task WritesIncrementTheRevision()
    {
        await Store.WriteAsync([new DocumentWrite("c", "a", "{\"v\":1}", 0)]);
        Assert.Equal(new Document("c", "a", 1, "{\"v\":1}"), await Store.GetAsync("c", "a"));
        await Store.WriteAsync([new DocumentWrite("c", "a", "{\"v\":2}", 1)]);
        Assert.Equal(2, (await Store.GetAsync("c", "a"))!.Revision);
    }

    [Fact]
    public async Task StaleRevisionAndDuplicateCreateConflict()
    {
        await Store.WriteAsync([new DocumentWrite("c", "a", "1", 0)]);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.WriteAsync([new DocumentWrite("c", "a", "2", 0)]));
        await Store.WriteAsync([new DocumentWrite("c", "a", "2", 1)]);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.WriteAsync([new DocumentWrite("c", "a", "3", 1)]));
        Assert.Equal("2", (await Store.GetAsync("c", "a"))!.Body);
    }

    [Fact]
    public async Task BatchesAreAllOrNothing()
    {
        await Store.WriteAsync([new DocumentWrite("c", "taken", "x", 0)]);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.WriteAsync(
        [
            new DocumentWrite("c", "new", "y", 0),
            new DocumentWrite("c", "taken", "z", 0),
        ]));
        Assert.Null(await Store.GetAsync("c", "new"));
        Assert.Equal("x", (await Store.GetAsync("c", "taken"))!.Body);
    }

    [Fact]
    public async Task DeleteRemoves()
    {
        await Store.WriteAsync([new DocumentWrite("c", "a", "1", 0)]);
        await Store.WriteAsync([new DocumentWrite("c", "a", null, null)]);
        Assert.Null(await Store.GetAsync("c", "a"));
    }

    [Fact]
    public async Task ListPagesInIdOrderWithinACollection()
    {
        foreach (var id in new[] { "b", "a", "d", "c" }) await Store.WriteAsync([new DocumentWrite("list", id, id, 0)]);
        await Store.WriteAsync([new DocumentWrite("other", "a0", "x", 0)]);
        var first = await Store.ListAsync("list", null, 3);
        Assert.Equal(["a", "b", "c"], first.Select(d => d.Id));
        var second = await Store.ListAsync("list", first[^1].Id, 3);
        Assert.Equal(["d"], second.Select(d => d.Id));
    }

    [Fact]
    public async Task ConcurrentWritersNeverLoseAnUpdate()
    {
        await Store.WriteAsync([new DocumentWrite("c", "counter", "0", 0)]);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                while (true)
                {
                    var current = (await Store.GetAsync("c", "counter"))!;
                    try
                    {
                        await Store.WriteAsync([new DocumentWrite("c", "counter", (int.Parse(current.Body) + 1).ToString(), current.Revision)]);
                        break;
                    }
                    catch (ConcurrencyConflictException) { }
                }
            }
        })));
        Assert.Equal("100", (await Store.GetAsync("c", "counter"))!.Body);
    }
}

public sealed class SqliteDocumentStoreTests : DocumentStoreContract, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-store-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteDocumentStore _store;

    public SqliteDocumentStoreTests()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteDocumentStore(Path.Combine(_directory, "metadata.db"));
    }

    protected override IDocumentStore Store => _store;

    [Fact]
    public async Task DataSurvivesReopeningAndTheFileIsOwnerOnly()
    {
        await _store.WriteAsync([new DocumentWrite("c", "a", "kept", 0)]);
        var reopened = new SqliteDocumentStore(Path.Combine(_directory, "metadata.db"));
        Assert.Equal("kept", (await reopened.GetAsync("c", "a"))!.Body);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "metadata.db")));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
    }
}
