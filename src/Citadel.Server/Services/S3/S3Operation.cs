using Citadel.Server.Hosting;

namespace Citadel.Server.Services.S3;

/// <summary>An S3 operation: its CloudTrail name, whether it only reads, the authorization questions it asks, and what it does.</summary>
/// <param name="Name">The operation (and audit event) name.</param>
/// <param name="ReadOnly">CloudTrail's readOnly.</param>
/// <param name="Checks">The authorization checks of a request.</param>
/// <param name="Execute">Runs it.</param>
public sealed record S3Operation(string Name, bool ReadOnly,
    Func<S3Request, CancellationToken, Task<IReadOnlyList<AuthorizationCheck>>> Checks,
    Func<S3Request, CancellationToken, Task<S3Response>> Execute);
