namespace Citadel.Audit.Trails.Operations;

/// <summary>A CloudTrail trail operation, found by reflection (class name = operation name), as KMS's and IAM's are.</summary>
public interface ITrailOperation
{
    /// <summary>The operation name.</summary>
    string Name { get; }
    /// <summary>CloudTrail readOnly.</summary>
    bool ReadOnly { get; }
    /// <summary>The request DTO type.</summary>
    Type RequestType { get; }
    /// <summary>Runs it.</summary>
    Task<object?> ExecuteAsync(TrailContext context, object request, CancellationToken cancellationToken);
}

/// <summary>Base of trail operations with a typed request and response.</summary>
public abstract class TrailOperation<TRequest, TResponse> : ITrailOperation where TRequest : class
{
    /// <inheritdoc />
    public string Name => GetType().Name;
    /// <inheritdoc />
    public virtual bool ReadOnly => false;
    /// <inheritdoc />
    public Type RequestType => typeof(TRequest);

    /// <summary>Runs the operation.</summary>
    public abstract Task<TResponse> ExecuteAsync(TrailContext context, TRequest request, CancellationToken cancellationToken);

    async Task<object?> ITrailOperation.ExecuteAsync(TrailContext context, object request, CancellationToken cancellationToken)
        => await ExecuteAsync(context, (TRequest)request, cancellationToken).ConfigureAwait(false);
}

/// <summary>All trail operations by name.</summary>
public static class TrailOperations
{
    /// <summary>Every operation of this assembly.</summary>
    public static readonly IReadOnlyDictionary<string, ITrailOperation> All = typeof(TrailOperations).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(ITrailOperation).IsAssignableFrom(t))
        .Select(t => (ITrailOperation)Activator.CreateInstance(t)!)
        .ToDictionary(o => o.Name, StringComparer.Ordinal);
}

/// <summary>An operation without output (answered as <c>{}</c>).</summary>
public sealed class NoOutput
{
    /// <summary>The shared instance.</summary>
    public static readonly NoOutput Instance = new();
}
