namespace Citadel.Storage;

/// <summary>A stored document: a JSON body under (collection, id), with a revision that every write increments.</summary>
public sealed record Document(string Collection, string Id, long Revision, string Body);

/// <summary>One write of an atomic batch. <see cref="Body"/> null deletes.</summary>
/// <param name="Collection">The collection, for example <c>kms-keys</c>.</param>
/// <param name="Id">The document id inside the collection.</param>
/// <param name="Body">The new JSON body, or null to delete.</param>
/// <param name="ExpectedRevision">
/// Optimistic concurrency: 0 means "must not exist", a positive value means "must be at this
/// revision", null means "whatever is there".
/// </param>
public sealed record DocumentWrite(string Collection, string Id, string? Body, long? ExpectedRevision);

/// <summary>
/// The metadata store contract every backend (SQLite embedded, PostgreSQL) fills. Every completed
/// <see cref="WriteAsync"/> is durable (survives a crash of the process or the machine) before it returns.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Returns the document, or null.</summary>
    Task<Document?> GetAsync(string collection, string id, CancellationToken cancellationToken = default);

    /// <summary>Lists documents of a collection in ordinal id order, starting after <paramref name="afterId"/>.</summary>
    Task<IReadOnlyList<Document>> ListAsync(string collection, string? afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Applies all writes atomically, or none; throws <see cref="ConcurrencyConflictException"/> when an expectation fails.</summary>
    Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default);
}

/// <summary>A write's expected revision did not match what is stored.</summary>
public sealed class ConcurrencyConflictException(string collection, string id)
    : Exception($"Document {collection}/{id} changed concurrently or already exists.")
{
    /// <summary>The collection of the conflicting document.</summary>
    public string Collection { get; } = collection;

    /// <summary>The id of the conflicting document.</summary>
    public string Id { get; } = id;
}
