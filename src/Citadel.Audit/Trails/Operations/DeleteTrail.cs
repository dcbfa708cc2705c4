namespace Citadel.Audit.Trails.Operations;

/// <summary>DeleteTrail request.</summary>
public sealed class DeleteTrailRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>Deletes a trail. Files already delivered stay in the bucket; records not yet delivered are not (as in AWS).</summary>
public sealed class DeleteTrail : TrailOperation<DeleteTrailRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(TrailContext context, DeleteTrailRequest request, CancellationToken cancellationToken)
    {
        await context.Trails.DeleteAsync(TrailNames.Resolve(request.Name, context.Settings), context.Settings, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
