namespace Citadel.Kms;

/// <summary>A KMS API operation, found by reflection so that adding an operation is adding one file.</summary>
public interface IKmsOperation
{
    /// <summary>The operation name (X-Amz-Target suffix), the class name by convention.</summary>
    string Name { get; }
    /// <summary>Whether CloudTrail marks the call read-only.</summary>
    bool ReadOnly { get; }
    /// <summary>The request DTO type.</summary>
    Type RequestType { get; }
    /// <summary>Runs the operation; returns the response DTO, or null for operations without output.</summary>
    Task<object?> ExecuteAsync(KmsContext context, KmsCall call, object request, CancellationToken cancellationToken);
}

/// <summary>Base of operations with a typed request and response.</summary>
public abstract class KmsOperation<TRequest, TResponse> : IKmsOperation where TRequest : class
{
    /// <inheritdoc />
    public virtual string Name => GetType().Name;
    /// <inheritdoc />
    public virtual bool ReadOnly => false;
    /// <inheritdoc />
    public Type RequestType => typeof(TRequest);

    /// <summary>Runs the operation.</summary>
    public abstract Task<TResponse> ExecuteAsync(KmsContext context, KmsCall call, TRequest request, CancellationToken cancellationToken);

    async Task<object?> IKmsOperation.ExecuteAsync(KmsContext context, KmsCall call, object request, CancellationToken cancellationToken)
    {
        // Every operation that takes grant tokens refuses ones Citadel did not issue, before anything else.
        Grants.GrantTokens.CheckRequest(context.Root, request);
        return await ExecuteAsync(context, call, (TRequest)request, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The response of operations that return nothing.</summary>
public sealed class EmptyResponse
{
    /// <summary>The shared instance.</summary>
    public static readonly EmptyResponse Instance = new();
}

/// <summary>All KMS operations by name.</summary>
public static class KmsOperations
{
    /// <summary>Every operation of this assembly.</summary>
    public static readonly IReadOnlyDictionary<string, IKmsOperation> All = typeof(KmsOperations).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IKmsOperation).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IKmsOperation)Activator.CreateInstance(t)!)
        .ToDictionary(o => o.Name, StringComparer.Ordinal);
}
