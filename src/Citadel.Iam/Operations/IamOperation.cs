using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>An IAM API operation, found by reflection (class name = operation name), as KMS's are.</summary>
public interface IIamOperation
{
    /// <summary>The operation name.</summary>
    string Name { get; }
    /// <summary>CloudTrail readOnly.</summary>
    bool ReadOnly { get; }
    /// <summary>The request DTO type.</summary>
    Type RequestType { get; }
    /// <summary>Runs it.</summary>
    Task<object?> ExecuteAsync(IamDirectory directory, Principal caller, object request, CancellationToken cancellationToken);
}

/// <summary>Base of IAM operations with a typed request and response.</summary>
public abstract class IamOperation<TRequest, TResponse> : IIamOperation where TRequest : class
{
    /// <inheritdoc />
    public string Name => GetType().Name;
    /// <inheritdoc />
    public virtual bool ReadOnly => false;
    /// <inheritdoc />
    public Type RequestType => typeof(TRequest);

    /// <summary>Runs the operation.</summary>
    public abstract Task<TResponse> ExecuteAsync(IamDirectory directory, Principal caller, TRequest request, CancellationToken cancellationToken);

    async Task<object?> IIamOperation.ExecuteAsync(IamDirectory directory, Principal caller, object request, CancellationToken cancellationToken)
        => await ExecuteAsync(directory, caller, (TRequest)request, cancellationToken).ConfigureAwait(false);
}

/// <summary>All IAM operations by name.</summary>
public static class IamOperations
{
    /// <summary>Every operation of this assembly.</summary>
    public static readonly IReadOnlyDictionary<string, IIamOperation> All = typeof(IamOperations).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IIamOperation).IsAssignableFrom(t))
        .Select(t => (IIamOperation)Activator.CreateInstance(t)!)
        .ToDictionary(o => o.Name, StringComparer.Ordinal);
}

/// <summary>No output.</summary>
public sealed class NoOutput
{
    /// <summary>The shared instance.</summary>
    public static readonly NoOutput Instance = new();
}

/// <summary>The User structure of the IAM API.</summary>
public sealed record UserView
{
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>Name.</summary>
    public required string UserName { get; init; }
    /// <summary>Id.</summary>
    public required string UserId { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>Tags.</summary>
    public List<TagView>? Tags { get; init; }

    /// <summary>The view of a stored user.</summary>
    public static UserView Of(IamUserRecord user) => new()
    {
        Path = user.Path,
        UserName = user.UserName,
        UserId = user.UserId,
        Arn = user.Arn,
        CreateDate = user.CreateDate,
        Tags = user.Tags.Count == 0 ? null : user.Tags.Select(t => new TagView { Key = t.Key, Value = t.Value }).ToList(),
    };
}

/// <summary>An IAM tag.</summary>
public sealed class TagView
{
    /// <summary>Key.</summary>
    public required string Key { get; init; }
    /// <summary>Value.</summary>
    public required string Value { get; init; }
}
